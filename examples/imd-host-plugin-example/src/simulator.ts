import * as net from 'node:net';
import { formatReading } from './protocol';

/** A simulated Acme ISO-1 on TCP, for tests and bring-up. */
export class AcmeSimulator {
  resistanceOhm: number | undefined = 1_200_000;
  voltageV: number | undefined = 400;
  error: string | undefined;
  selfTestPasses = true;
  selfTestDurationMs = 200;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Listen on 127.0.0.1:`port` (0: any free port); resolves with the port. */
  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer((s) => this.serve(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    socket.on('data', (d: Buffer) => {
      buffer += d.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        this.answer(socket, line);
      }
    });
  }

  private answer(socket: net.Socket, line: string): void {
    if (line === 'PING?') socket.write('PONG\n');
    else if (line === 'MEAS?')
      socket.write(
        `${formatReading({ resistanceOhm: this.resistanceOhm, voltageV: this.voltageV, error: this.error })}\n`,
      );
    else if (/^TEST \d+$/.test(line)) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!socket.destroyed) socket.write(this.selfTestPasses ? 'TEST PASS\n' : 'TEST FAIL\n');
      }, this.selfTestDurationMs);
      this.timers.add(t);
    } else socket.write('ERR=BAD_COMMAND\n');
  }
}
