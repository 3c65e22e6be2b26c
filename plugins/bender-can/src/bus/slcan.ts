import { SerialPort } from 'serialport';
import { withTimeout } from '@imd-host/sdk';
import { ListenerSet } from './listeners';
import {
  decodeSlcanFrame,
  encodeSlcanFrame,
  slcanBitrateCommand,
  SlcanTokenizer,
  type SlcanToken,
} from './slcan-codec';
import { CanBusError, type CanBus, type CanBusCloseListener, type CanFrame, type SlcanBusOptions } from './types';

const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

interface Waiter {
  readonly cmd: string;
  resolve(): void;
  reject(error: Error): void;
}

class SlcanBus implements CanBus {
  readonly description: string;
  private readonly frames = new ListenerSet<[CanFrame]>();
  private readonly closes = new ListenerSet<[Error | undefined]>();
  private readonly tokenizer = new SlcanTokenizer();
  private readonly waiters: Waiter[] = [];
  private closed = false;
  private readonly commandTimeoutMs: number;

  constructor(
    private readonly port: SerialPort,
    private readonly options: SlcanBusOptions,
  ) {
    this.description = `slcan ${options.path}`;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('close', (err: Error | null) => this.onPortClosed(err ?? undefined));
    port.on('error', (err: Error) => this.onPortClosed(err));
  }

  /** Resets the adapter's channel, sets the bitrate and opens the channel. */
  async setup(): Promise<void> {
    const bitrateCmd = slcanBitrateCommand(this.options.bitrate);
    if (!bitrateCmd)
      throw new CanBusError(`${this.description}: bitrate ${this.options.bitrate} is not supported by slcan`);
    // Close a channel a previous run may have left open; an adapter that was closed answers BEL: fine.
    await this.command('C').catch(() => undefined);
    this.tokenizer.reset();
    await this.command(bitrateCmd);
    await this.command('O');
  }

  async send(frame: CanFrame): Promise<void> {
    if (this.closed) throw new CanBusError(`${this.description}: bus is closed`);
    await this.write(encodeSlcanFrame(frame));
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    return this.frames.add(listener);
  }

  onClose(listener: CanBusCloseListener): () => void {
    return this.closes.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.port.isOpen) {
      await withTimeout(this.command('C'), this.commandTimeoutMs, 'slcan close').catch(() => undefined);
    }
    this.finish(undefined);
    if (this.port.isOpen) {
      await new Promise<void>((resolve) => this.port.close(() => resolve()));
    }
    this.port.removeAllListeners();
    // A write still in flight may fail after close (EIO when the pty is gone): never crash on it.
    this.port.on('error', () => undefined);
  }

  /** Sends a command line and waits for the adapter's `\r` (ok) or BEL (error). */
  private async command(cmd: string): Promise<void> {
    let waiter: Waiter | undefined;
    const acked = new Promise<void>((resolve, reject) => {
      waiter = { cmd, resolve, reject };
      this.waiters.push(waiter);
    });
    try {
      await this.write(`${cmd}\r`);
      await withTimeout(acked, this.commandTimeoutMs, `${this.description}: command ${cmd}`);
    } catch (e) {
      const i = waiter ? this.waiters.indexOf(waiter) : -1;
      if (i >= 0) this.waiters.splice(i, 1);
      if (e instanceof CanBusError) throw e;
      throw new CanBusError(
        `${this.description}: adapter did not acknowledge "${cmd}" (${(e as Error).message}); is it an slcan adapter?`,
        { cause: e },
      );
    }
  }

  private write(text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.port.isOpen) {
        reject(new CanBusError(`${this.description}: serial port is not open`));
        return;
      }
      this.port.write(text, 'latin1', (err) => {
        if (err) reject(new CanBusError(`${this.description}: write failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  private onData(chunk: Buffer): void {
    for (const token of this.tokenizer.push(chunk)) this.onToken(token);
  }

  private onToken(token: SlcanToken): void {
    if (token.kind === 'bell') {
      const w = this.waiters.shift();
      w?.reject(new CanBusError(`${this.description}: adapter rejected command "${w.cmd}" (BEL)`));
      return;
    }
    const frame = decodeSlcanFrame(token.text);
    if (frame) {
      if (!this.closed) this.frames.emit(frame);
      return;
    }
    // '' is the ack of a command; 'z'/'Z' the ack of a transmitted frame; anything else is ignored.
    if (token.text === '') this.waiters.shift()?.resolve();
  }

  private onPortClosed(error: Error | undefined): void {
    const cause = error ?? new CanBusError(`${this.description}: serial port closed`);
    this.finish(this.closed ? undefined : cause);
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new CanBusError(`${this.description}: bus closed`));
    this.closes.emit(error);
    this.frames.clear();
    this.closes.clear();
  }
}

/** Opens the serial port, configures the slcan adapter and opens its CAN channel. */
export async function openSlcanBus(options: SlcanBusOptions): Promise<CanBus> {
  const port = new SerialPort({ path: options.path, baudRate: options.serialBaudRate ?? 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => {
      if (err) {
        reject(
          new CanBusError(
            `slcan ${options.path}: cannot open serial port (${err.message}); check the adapter is plugged in and the path and permissions are right (e.g. add the user to group dialout)`,
            { cause: err },
          ),
        );
      } else resolve();
    });
  });
  const bus = new SlcanBus(port, options);
  try {
    await bus.setup();
  } catch (e) {
    await bus.close();
    throw e;
  }
  return bus;
}
