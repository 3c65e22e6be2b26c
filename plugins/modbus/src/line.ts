import { Backoff, type Logger } from '@imd-host/sdk';
import ModbusRTU from 'modbus-serial';

/** Where a Modbus line is: a serial port (RTU) or a TCP endpoint (device or gateway). */
export type LineAddress =
  | {
      readonly type: 'rtu';
      readonly path: string;
      readonly baudRate: number;
      readonly parity: 'none' | 'even' | 'odd';
      readonly dataBits: 7 | 8;
      readonly stopBits: 1 | 2;
    }
  | { readonly type: 'tcp'; readonly host: string; readonly port: number };

export function describeLine(a: LineAddress): string {
  return a.type === 'rtu'
    ? `${a.path} (${a.baudRate} ${a.dataBits}${a.parity[0].toUpperCase()}${a.stopBits})`
    : `${a.host}:${a.port}`;
}

function lineKey(a: LineAddress): string {
  return a.type === 'rtu' ? `rtu:${a.path}` : `tcp:${a.host}:${a.port}`;
}

/** A Modbus request failed: `message` says what, on which line and unit. */
export class ModbusRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'open' | 'timeout' | 'exception' | 'crc' | 'io',
  ) {
    super(message);
    this.name = 'ModbusRequestError';
  }
}

function classify(err: unknown): { kind: ModbusRequestError['kind']; text: string } {
  const e = err as { message?: string; errno?: string; code?: string; modbusCode?: number };
  const text = e?.message ?? String(err);
  if (typeof e?.modbusCode === 'number') return { kind: 'exception', text: `exception ${e.modbusCode}: ${text}` };
  if (e?.errno === 'ETIMEDOUT' || /timed out/i.test(text)) return { kind: 'timeout', text: 'no response (timed out)' };
  if (/crc/i.test(text)) return { kind: 'crc', text: 'CRC error' };
  return { kind: 'io', text };
}

/**
 * One physical Modbus line (an RS-485 port or a TCP connection), shared by every module that
 * talks to a unit on it. Requests are serialized: one at a time, in order, each with its unit
 * id, time-out and retries. A line that cannot be opened (port missing or busy, connection
 * refused) is retried with backoff; a request meanwhile fails at once with the last error.
 */
export class ModbusLine {
  private client: ModbusRTU | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 15_000 });
  private retryAt = 0;
  private lastOpenError = '';
  refs = 0;

  constructor(
    readonly address: LineAddress,
    private readonly log: Logger,
  ) {}

  get description(): string {
    return describeLine(this.address);
  }

  /** Run `op` on the line for `unitId`, after the requests before it. */
  request<T>(
    unitId: number,
    timeoutMs: number,
    retries: number,
    what: string,
    op: (c: ModbusRTU) => Promise<T>,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      let last: { kind: ModbusRequestError['kind']; text: string } = { kind: 'io', text: 'not attempted' };
      for (let attempt = 0; attempt <= retries; attempt += 1) {
        const client = await this.ensureOpen();
        client.setID(unitId);
        client.setTimeout(timeoutMs);
        try {
          return await op(client);
        } catch (err) {
          last = classify(err);
          if (last.kind === 'io') this.drop(last.text);
          if (last.kind === 'exception') break; // the device answered: retrying will not change it
        }
      }
      throw new ModbusRequestError(`${what} from unit ${unitId} on ${this.description}: ${last.text}`, last.kind);
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Close the port once the requests under way are done (their time-outs bound the wait). */
  async close(): Promise<void> {
    await this.chain;
    await this.closeNow();
  }

  private async closeNow(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await new Promise<void>((resolve) => c.close(() => resolve()));
  }

  private async ensureOpen(): Promise<ModbusRTU> {
    if (this.client?.isOpen) return this.client;
    if (Date.now() < this.retryAt) {
      throw new ModbusRequestError(
        `cannot open ${this.description}: ${this.lastOpenError} (next attempt in ${this.retryAt - Date.now()} ms)`,
        'open',
      );
    }
    await this.closeNow();
    const client = new ModbusRTU();
    try {
      const a = this.address;
      if (a.type === 'rtu') {
        await client.connectRTUBuffered(a.path, {
          baudRate: a.baudRate,
          parity: a.parity,
          dataBits: a.dataBits,
          stopBits: a.stopBits,
        });
      } else {
        await client.connectTCP(a.host, { port: a.port, timeout: 2000 });
      }
    } catch (err) {
      const e = err as { message?: string; code?: string };
      const text = e.message ?? String(err);
      this.lastOpenError = /ENOENT|No such file/i.test(text)
        ? `${text} (no such port: check the path and the USB adapter)`
        : /EBUSY|Resource busy|lock/i.test(text)
          ? `${text} (port busy: another process uses it)`
          : /EACCES|Permission denied/i.test(text)
            ? `${text} (no permission: add the user to the dialout group)`
            : text;
      this.retryAt = Date.now() + this.backoff.next();
      client.close(() => undefined);
      this.log.warn({ line: this.description, err: this.lastOpenError }, 'modbus line cannot be opened');
      throw new ModbusRequestError(`cannot open ${this.description}: ${this.lastOpenError}`, 'open');
    }
    // A port that vanishes (USB unplugged, pty closed) or a socket error must not crash the host.
    const port = (client as unknown as { _port?: { on?(ev: string, cb: (e: unknown) => void): void } })._port;
    port?.on?.('error', (e: unknown) => this.log.warn({ line: this.description, err: String(e) }, 'modbus line error'));
    port?.on?.('close', () => this.drop('closed'));
    this.backoff.reset();
    this.retryAt = 0;
    this.client = client;
    this.log.info({ line: this.description }, 'modbus line open');
    return client;
  }

  private drop(why: string): void {
    if (!this.client) return;
    this.log.warn({ line: this.description, why }, 'modbus line lost; it will be reopened');
    const c = this.client;
    this.client = undefined;
    c.close(() => undefined);
  }
}

const lines = new Map<string, ModbusLine>();

/** The shared line for an address (one per serial port or TCP endpoint), reference counted. */
export function acquireLine(address: LineAddress, log: Logger): ModbusLine {
  const key = lineKey(address);
  let line = lines.get(key);
  if (!line) {
    line = new ModbusLine(address, log);
    lines.set(key, line);
  } else if (address.type === 'rtu' && line.address.type === 'rtu' && line.address.baudRate !== address.baudRate) {
    log.warn({ line: line.description }, 'modules on one RTU line disagree on serial settings; the first one wins');
  }
  line.refs += 1;
  return line;
}

/** Give a line back; the last user closes it. */
export async function releaseLine(line: ModbusLine): Promise<void> {
  line.refs -= 1;
  if (line.refs > 0) return;
  lines.delete(lineKey(line.address));
  await line.close();
}
