import type { SessionStatus } from '@imd-host/protocol-everest';
import type { Logger } from '@imd-host/sdk';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthReport } from './health';
import { OpsMetrics } from './metrics';

/** The `http` section of the host configuration. */
export interface OpsHttpConfig {
  readonly port: number;
  readonly host: string;
}

export interface OpsHttpServerOptions extends OpsHttpConfig {
  /** The host's module states (`ImdHost.status()`). */
  readonly status: () => SessionStatus[];
  readonly log: Logger;
  /** How often metrics sample the status between scrapes, ms (default 1000). */
  readonly sampleIntervalMs?: number;
}

/** `/healthz` and `/metrics` of a running host. */
export class OpsHttpServer {
  readonly metrics = new OpsMetrics();
  private server: http.Server | undefined;
  private sampler: NodeJS.Timeout | undefined;

  constructor(private readonly options: OpsHttpServerOptions) {}

  /** Listen; resolves with the bound port (useful with port 0). */
  async start(): Promise<number> {
    if (this.server) throw new Error('the HTTP server is running already');
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'http: request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
    });
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      this.server = undefined;
      throw err;
    });
    server.on('error', (err) => this.options.log.error({ err: err.message }, 'http: server error'));
    this.sample();
    this.sampler = setInterval(() => this.sample(), this.options.sampleIntervalMs ?? 1000);
    this.sampler.unref();
    const port = (server.address() as AddressInfo).port;
    this.options.log.info({ host: this.options.host, port }, 'http: /healthz and /metrics listening');
    return port;
  }

  /** Stop listening and close open connections. Safe to call twice. */
  async stop(): Promise<void> {
    clearInterval(this.sampler);
    this.sampler = undefined;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private sample(): void {
    try {
      this.metrics.sample(this.options.status(), Date.now());
    } catch (err) {
      this.options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'http: metrics sample failed');
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const { httpStatus, body } = healthReport(this.options.status(), Date.now());
      res.writeHead(httpStatus, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(body)}\n`);
      return;
    }
    if (path === '/metrics') {
      this.sample();
      const text = await this.metrics.render();
      res.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /healthz or /metrics\n');
  }
}
