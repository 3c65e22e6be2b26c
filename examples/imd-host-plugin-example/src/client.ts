import { withTimeout } from '@imd-host/sdk';
import * as net from 'node:net';

/**
 * A line-based request/response client over TCP: one request at a time, each answered by one
 * line. Connects on demand; a broken connection is dropped and re-made by the next request.
 */
export class LineClient {
  private socket: net.Socket | undefined;
  private buffer = '';
  private waiting: ((line: string) => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  get endpoint(): string {
    return `${this.host}:${this.port}`;
  }

  /** Send `line` and resolve with the answer line. */
  request(line: string): Promise<string> {
    const run = async (): Promise<string> => {
      const socket = await this.connect();
      const answer = new Promise<string>((resolve) => (this.waiting = resolve));
      socket.write(`${line}\n`);
      try {
        return await withTimeout(answer, this.timeoutMs, `"${line}" to ${this.endpoint}`);
      } catch (err) {
        this.drop();
        throw err;
      } finally {
        this.waiting = undefined;
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.chain;
    this.drop();
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.buffer = '';
  }

  private connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return withTimeout(
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(this.port, this.host);
        s.setNoDelay(true);
        s.once('connect', () => {
          this.socket = s;
          resolve(s);
        });
        s.on('error', (err) => {
          s.destroy();
          reject(err);
        });
        s.on('close', () => {
          if (this.socket === s) this.socket = undefined;
        });
        s.on('data', (d: Buffer) => {
          this.buffer += d.toString('utf8');
          let nl: number;
          while ((nl = this.buffer.indexOf('\n')) >= 0) {
            const l = this.buffer.slice(0, nl).replace(/\r$/, '');
            this.buffer = this.buffer.slice(nl + 1);
            this.waiting?.(l);
          }
        });
      }),
      this.timeoutMs,
      `connect to ${this.endpoint}`,
    );
  }
}
