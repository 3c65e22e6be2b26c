import type { Logger } from '@imd-host/sdk';
import * as net from 'node:net';
import type { EmbeddedBroker, EmbeddedBrokerFactory } from './types';

interface AedesInstance {
  handle(socket: net.Socket): void;
  close(cb: () => void): void;
}

/** Starts an in-process aedes broker (for demos; production uses mosquitto). */
export class AedesBrokerFactory implements EmbeddedBrokerFactory {
  async start(options: { host: string; port: number; log: Logger }): Promise<EmbeddedBroker> {
    // aedes 0.51 is CommonJS: a factory function.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const createAedes = require('aedes') as () => AedesInstance;
    const broker = createAedes();
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        broker.close(() => undefined);
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `embedded broker: ${options.host}:${options.port} is already in use (another broker?). Use another port in mqtt.url or set embeddedBroker: false to use that broker.`
              : `embedded broker: cannot listen on ${options.host}:${options.port}: ${err.message}`,
          ),
        );
      });
      server.listen(options.port, options.host, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : options.port;
    options.log.info({ host: options.host, port }, 'embedded MQTT broker listening');
    return {
      host: options.host,
      port,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
      },
    };
  }
}
