import { SerialPort } from 'serialport';
import type { CanBus } from '../bus';
import { decodeSlcanFrame, encodeSlcanFrame, slcanBitrateOf, SlcanTokenizer } from '../bus/slcan-codec';

const OK = '\r';
const BELL = '\x07';

/**
 * The adapter side of slcan on a serial port: answers `S0`..`S8`, `O`, `C`, `V`, `v`, `N`, `F`,
 * `Z`, forwards `t`/`T`/`r`/`R` frames to `bus` while open, and writes the bus's frames back in
 * slcan text. Lets a simulated device be reached through a pty as through a USB adapter.
 */
export class SlcanAdapterSimulator {
  private readonly tokenizer = new SlcanTokenizer();
  private open = false;
  private bitrate: number | undefined;
  private unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly port: SerialPort,
    private readonly bus: CanBus,
  ) {
    port.on('data', (chunk: Buffer) => {
      for (const token of this.tokenizer.push(chunk)) {
        if (token.kind === 'line') this.onLine(token.text);
      }
    });
    port.on('error', () => undefined);
    this.unsubscribe = bus.onFrame((frame) => {
      if (this.open) this.write(encodeSlcanFrame(frame));
    });
  }

  /** Opens `path` and starts serving. */
  static async open(path: string, bus: CanBus): Promise<SlcanAdapterSimulator> {
    const port = new SerialPort({ path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(new Error(`cannot open ${path}: ${err.message}`)) : resolve())),
    );
    return new SlcanAdapterSimulator(port, bus);
  }

  /** Whether the host has opened the CAN channel, and at which bitrate. */
  get status(): { open: boolean; bitrate: number | undefined } {
    return { open: this.open, bitrate: this.bitrate };
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.open = false;
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
    this.port.removeAllListeners();
    // A write still in flight may fail after close (EIO when the pty is gone): never crash on it.
    this.port.on('error', () => undefined);
  }

  private onLine(line: string): void {
    const c = line[0];
    if (c === 't' || c === 'T' || c === 'r' || c === 'R') {
      const frame = decodeSlcanFrame(line);
      if (!frame || !this.open) {
        this.write(BELL);
        return;
      }
      this.bus.send(frame).then(
        () => this.write(c === 't' || c === 'r' ? `z${OK}` : `Z${OK}`),
        () => this.write(BELL),
      );
      return;
    }
    switch (c) {
      case 'S': {
        const rate = slcanBitrateOf(line);
        if (rate === undefined || this.open) return this.write(BELL);
        this.bitrate = rate;
        return this.write(OK);
      }
      case 'O':
        if (line !== 'O' || this.open || this.bitrate === undefined) return this.write(BELL);
        this.open = true;
        return this.write(OK);
      case 'C':
        if (line !== 'C' || !this.open) return this.write(BELL);
        this.open = false;
        return this.write(OK);
      case 'V':
        return this.write(`V1013${OK}`);
      case 'v':
        return this.write(`v0107${OK}`);
      case 'N':
        return this.write(`NSIM1${OK}`);
      case 'F':
        return this.write(`F00${OK}`);
      case 'Z':
        return this.write(this.open ? BELL : OK);
      default:
        return this.write(BELL);
    }
  }

  private write(text: string): void {
    if (this.port.isOpen) this.port.write(text, 'latin1');
  }
}
