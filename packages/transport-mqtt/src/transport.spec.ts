import { silentLogger } from '@imd-host/sdk';
import mqtt from 'mqtt';
import * as net from 'node:net';
import { freePort, startBroker } from '../../../test/support/broker';
import { sleep, waitFor } from '../../../test/support/everest';
import { MqttJsConnection } from './connection';
import { AedesBrokerFactory } from './embedded-broker';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

test('QoS 0 "drop" is never delivered late; QoS 1 "queue" is delivered after the reconnect; subscriptions renewed', async () => {
  const broker = await startBroker();
  cleanup.push(() => broker.stop());
  const got: string[] = [];
  const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100 });
  cleanup.push(() => peer.endAsync(true));
  peer.on('error', () => undefined);
  await peer.subscribeAsync('t/#', { qos: 1 });
  peer.on('message', (topic, p) => got.push(`${topic}=${p.toString()}`));
  const conn = new MqttJsConnection({ url: broker.url, clientId: 'transport-spec', keepaliveS: 5, log: silentLogger });
  cleanup.push(() => conn.end());
  const received: string[] = [];
  conn.subscribe(['cmd/x'], (_t, p) => received.push(p.toString()));
  let connects = 0;
  conn.onConnect(() => (connects += 1));
  conn.open();
  await waitFor(() => conn.isConnected, 3000, 'connected');
  expect(conn.publish('t/live', 'a', { qos: 0, whenOffline: 'drop' })).toBe(true);
  await waitFor(() => got.includes('t/live=a'), 2000, 'live message');

  await broker.stop();
  await waitFor(() => !conn.isConnected, 3000, 'disconnected');
  // Retained, so that the peer sees them whenever it resubscribes: what arrives was sent.
  expect(conn.publish('t/stale', 'old measurement', { qos: 0, retain: true, whenOffline: 'drop' })).toBe(false);
  expect(conn.publish('t/kept', 'self test result', { qos: 1, retain: true, whenOffline: 'queue' })).toBe(true);
  await broker.restart();
  await waitFor(() => connects === 2, 5000, 'reconnected');
  await waitFor(() => got.includes('t/kept=self test result'), 5000, 'queued QoS 1 delivered');
  await sleep(300);
  expect(got).not.toContain('t/stale=old measurement');
  peer.publish('cmd/x', 'after restart');
  await waitFor(() => received.includes('after restart'), 3000, 'subscription renewed');
  await conn.end();
  expect(conn.isConnected).toBe(false);
});

test('a broker that is not there: retried with backoff, not in a tight loop', async () => {
  const port = await freePort();
  const logs: string[] = [];
  const log = {
    ...silentLogger,
    info: (o: object | string, m?: string) => logs.push(typeof o === 'string' ? o : (m ?? '')),
    child: () => log,
  };
  const conn = new MqttJsConnection({ url: `mqtt://127.0.0.1:${port}`, clientId: 'nobody', keepaliveS: 5, log });
  cleanup.push(() => conn.end());
  conn.open();
  await sleep(3000);
  const attempts = logs.filter((m) => m === 'mqtt reconnect scheduled').length;
  expect(attempts).toBeGreaterThanOrEqual(2);
  expect(attempts).toBeLessThanOrEqual(6);
  await conn.end();
});

test('embedded broker: pub/sub through it; a taken port gives a clear error', async () => {
  const factory = new AedesBrokerFactory();
  const b = await factory.start({ host: '127.0.0.1', port: 0, log: silentLogger });
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.port}`);
  await c.subscribeAsync('x');
  const p = new Promise<string>((resolve) => c.on('message', (_t, m) => resolve(m.toString())));
  await c.publishAsync('x', 'hello');
  expect(await p).toBe('hello');
  await c.endAsync();
  const blocker = net.createServer();
  const port = await new Promise<number>((resolve) =>
    blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
  );
  await expect(factory.start({ host: '127.0.0.1', port, log: silentLogger })).rejects.toThrow(
    `embedded broker: 127.0.0.1:${port} is already in use`,
  );
  blocker.close();
  await b.close();
});

test('a connection ended during its handshake does not crash the process later', async () => {
  // A "broker" that accepts TCP but never answers CONNECT.
  const mute = net.createServer((s) => s.on('data', () => undefined));
  const port = await new Promise<number>((resolve) =>
    mute.listen(0, '127.0.0.1', () => resolve((mute.address() as net.AddressInfo).port)),
  );
  cleanup.push(() => new Promise<void>((resolve) => mute.close(() => resolve())));
  const conn = new MqttJsConnection({
    url: `mqtt://127.0.0.1:${port}`,
    clientId: 'handshake',
    keepaliveS: 5,
    connectTimeoutMs: 300,
    log: silentLogger,
  });
  conn.open();
  await sleep(100);
  await conn.end();
  const errors: unknown[] = [];
  const onError = (e: unknown): void => {
    errors.push(e);
  };
  process.on('uncaughtException', onError);
  await sleep(800); // past the connect time-out
  process.off('uncaughtException', onError);
  expect(errors).toEqual([]);
});
