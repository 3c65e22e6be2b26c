import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private MQTT broker for one test suite. */
export interface TestBroker {
  readonly port: number;
  readonly url: string;
  readonly kind: 'mosquitto' | 'aedes';
  /** Stop the broker (connections are dropped as if it died). */
  stop(): Promise<void>;
  /** Start it again on the same port (after stop). */
  restart(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolve once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function mosquittoPath(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto']) {
    const r = spawnSync(p, ['-h'], { stdio: 'ignore' });
    if (!r.error) return p;
  }
  return undefined;
}

/**
 * Start a private broker on a free port: the `mosquitto` binary when installed, otherwise an
 * in-process aedes broker. `IMD_TEST_BROKER=aedes` forces aedes.
 */
export async function startBroker(options: { port?: number; extraConfig?: string } = {}): Promise<TestBroker> {
  const port = options.port ?? (await freePort());
  const bin = process.env.IMD_TEST_BROKER === 'aedes' ? undefined : mosquittoPath();
  if (bin) {
    const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none'];
    return startMosquitto(bin, port, [...lines, options.extraConfig ?? ''].join('\n'));
  }
  return startAedes(port);
}

/**
 * Start a real mosquitto with a complete configuration of the test's own (TLS, password file,
 * ACL, ...). Fails with a clear message when mosquitto is not installed: such tests need it.
 */
export async function startMosquittoWith(config: (port: number) => string): Promise<TestBroker> {
  const bin = mosquittoPath();
  if (!bin) {
    throw new Error('this test needs the mosquitto broker binary (apt-get install -y mosquitto); it was not found');
  }
  const port = await freePort();
  return startMosquitto(bin, port, config(port));
}

async function startMosquitto(bin: string, port: number, configText: string): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'imd-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, configText + '\n');
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(bin, ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port);
  };
  await launch();
  process.once('exit', () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    kind: 'mosquitto',
    stop: async () => {
      await stop();
    },
    restart: launch,
  };
}

async function startAedes(port: number): Promise<TestBroker> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const createAedes = require('aedes') as () => AedesLike;
  let server: net.Server | undefined;
  let broker: AedesLike | undefined;
  const sockets = new Set<net.Socket>();
  const launch = async (): Promise<void> => {
    broker = createAedes();
    const b = broker;
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      b.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    kind: 'aedes',
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
      server = undefined;
      broker = undefined;
    },
    restart: launch,
  };
}

interface AedesLike {
  handle(socket: net.Socket): void;
  close(cb: () => void): void;
}
