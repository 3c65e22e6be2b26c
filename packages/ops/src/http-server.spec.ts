import type { SessionStatus } from '@imd-host/protocol-everest';
import type { Logger } from '@imd-host/sdk';
import { status } from './spec-fixtures';
import { OpsHttpServer } from './http-server';

const silent: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
  child: () => silent,
};

describe('HTTP server', () => {
  let server: OpsHttpServer;
  let statuses: SessionStatus[];
  let base: string;

  beforeEach(async () => {
    statuses = [status()];
    server = new OpsHttpServer({ port: 0, host: '127.0.0.1', status: () => statuses, log: silent });
    base = `http://127.0.0.1:${await server.start()}`;
  });

  afterEach(async () => {
    await server.stop();
  });

  test('/healthz: 200, then 503 with the fault listed', async () => {
    let res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ status: 'ok', modules: [{ moduleId: 'iso', healthy: true }] });
    statuses = [status({ activeErrors: [{ type: 'DeviceFault', message: 'dead' }] })];
    res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'fail', modules: [{ problems: ['DeviceFault: dead'] }] });
  });

  test('/metrics samples at scrape time', async () => {
    statuses = [status({ published: { measurements: 42, selfTestResults: 0 } })];
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('imd_m2e_published_total{module="iso",kind="isolation_measurement"} 42');
  });

  test('unknown paths 404, other methods 405', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  test('stop closes the port; stop twice is fine; a busy port fails start', async () => {
    const port = Number(new URL(base).port);
    const other = new OpsHttpServer({ port, host: '127.0.0.1', status: () => statuses, log: silent });
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
    await server.stop();
    await server.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
