import type { Logger } from '@imd-host/sdk';
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker, type TestBroker } from '../../../test/support/broker';
import { waitFor } from '../../../test/support/everest';
import { formatSimEvent } from './simulate-command';
import { EverestSimulator, type SimEvent } from './simulator';

const P = 'everest_api/1/isolation_monitor';
const silent: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
  child: () => silent,
};

let broker: TestBroker;
let device: MqttClient;
let sim: EverestSimulator | undefined;
const received: Array<{ topic: string; payload: string }> = [];

beforeAll(async () => {
  broker = await startBroker();
  device = await mqtt.connectAsync(broker.url);
  await device.subscribeAsync(`${P}/+/e2m/#`, { qos: 1 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
});

afterAll(async () => {
  await device.endAsync(true);
  await broker.stop();
});

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  received.length = 0;
});

async function startSim(opts: { heartbeatMs?: number; commCheckTimeoutS?: number } = {}): Promise<SimEvent[]> {
  const events: SimEvent[] = [];
  sim = new EverestSimulator({
    broker: { url: broker.url },
    moduleIds: ['m1', 'm2'],
    prefix: P,
    heartbeatMs: opts.heartbeatMs ?? 0,
    commCheckTimeoutS: opts.commCheckTimeoutS ?? 0,
    log: silent,
  });
  sim.on((e) => events.push(e));
  await sim.start();
  return events;
}

const topicsOf = (kind: string): Array<{ topic: string; payload: string }> =>
  received.filter((r) => r.topic.endsWith(`/e2m/${kind}`));

test('commands go to every module or one; self test carries the voltage', async () => {
  await startSim();
  sim!.send('start');
  sim!.send('start_self_test', { moduleId: 'm2', voltage: 750.5 });
  await waitFor(() => received.length === 3, 3000, 'three commands');
  expect(topicsOf('start')).toEqual([
    { topic: `${P}/m1/e2m/start`, payload: '{}' },
    { topic: `${P}/m2/e2m/start`, payload: '{}' },
  ]);
  expect(topicsOf('start_self_test')).toEqual([{ topic: `${P}/m2/e2m/start_self_test`, payload: '750.5' }]);
});

test('heartbeats: per module from 0, +1 each interval; an explicit id continues and wraps at 2^64-1', async () => {
  await startSim({ heartbeatMs: 50 });
  await waitFor(() => topicsOf('heartbeat').filter((r) => r.topic.includes('/m1/')).length >= 3, 3000, 'heartbeats');
  const m1 = (): string[] =>
    topicsOf('heartbeat')
      .filter((r) => r.topic.includes('/m1/'))
      .map((r) => r.payload);
  expect(m1().slice(0, 3)).toEqual(['0', '1', '2']);
  sim!.send('heartbeat', { moduleId: 'm1', id: '18446744073709551615' });
  await waitFor(() => m1().includes('18446744073709551615'), 3000, 'the explicit id');
  const max = '18446744073709551615';
  await waitFor(() => m1().length - m1().indexOf(max) >= 3, 3000, 'two heartbeats after the explicit id');
  const after = m1().slice(m1().indexOf(max));
  expect(after.slice(0, 3)).toEqual([max, '0', '1']);
});

test('communication check: lost after the time-out, back on true, off on false', async () => {
  const events = await startSim({ commCheckTimeoutS: 0.3 });
  const kinds = (id: string): string[] =>
    events.filter((e) => e.type.startsWith('commCheck') && 'moduleId' in e && e.moduleId === id).map((e) => e.type);
  await waitFor(() => kinds('m1').includes('commCheckLost'), 3000, 'm1 lost');
  expect(events.find((e) => e.type === 'commCheckLost')).toMatchObject({ initial: true });
  await device.publishAsync(`${P}/m1/m2e/communication_check`, 'true');
  await waitFor(() => kinds('m1').includes('commCheckBack'), 3000, 'm1 back');
  await device.publishAsync(`${P}/m2/m2e/communication_check`, 'false');
  await waitFor(() => kinds('m2').includes('commCheckOff'), 3000, 'm2 off');
  await waitFor(() => kinds('m1').filter((k) => k === 'commCheckLost').length === 2, 3000, 'm1 lost again');
  expect(events.find((e) => e.type === 'commCheckLost' && e.moduleId === 'm1' && !e.initial)).toBeDefined();
  // m2 switched the check off: it never becomes "lost" again.
  expect(kinds('m2')).toEqual(['commCheckLost', 'commCheckOff']);
});

test('every m2e payload is validated; other modules and topics are ignored', async () => {
  const events = await startSim();
  await device.publishAsync(`${P}/m1/m2e/isolation_measurement`, '{"resistance_F_Ohm":1e6}');
  await device.publishAsync(`${P}/m1/m2e/raise_error`, '{"type":"Oops"}');
  await device.publishAsync(`${P}/other/m2e/self_test_result`, 'true');
  await device.publishAsync(`${P}/m2/m2e/self_test_result`, 'yes');
  await waitFor(() => events.filter((e) => e.type === 'message').length === 3, 3000, 'three messages');
  const lines = events.map((e) => formatSimEvent(e)).filter((l) => l !== undefined && !l.includes(' broker '));
  expect(lines).toEqual([
    expect.stringMatching(/^\S+Z m1 <- m2e\/isolation_measurement \{"resistance_F_Ohm":1e6\}$/),
    expect.stringMatching(
      /^\S+Z m1 <- m2e\/raise_error \{"type":"Oops"\} INVALID \(\/type must be equal to one of the allowed values\)$/,
    ),
    expect.stringMatching(/^\S+Z m2 <- m2e\/self_test_result yes INVALID \(not JSON: "yes"\)$/),
  ]);
});

test('formatSimEvent hides sent heartbeats unless verbose', () => {
  const e: SimEvent = { type: 'sent', at: 0, moduleId: 'm1', kind: 'heartbeat', payload: '7' };
  expect(formatSimEvent(e)).toBeUndefined();
  expect(formatSimEvent(e, true)).toBe('1970-01-01T00:00:00.000Z m1 -> e2m/heartbeat 7');
});

test('module ids must be one topic level', () => {
  const make = (moduleIds: string[]) => () =>
    new EverestSimulator({
      broker: { url: broker.url },
      moduleIds,
      prefix: P,
      heartbeatMs: 0,
      commCheckTimeoutS: 0,
      log: silent,
    });
  expect(make(['a/b'])).toThrow('invalid module id "a/b": must be one MQTT topic level');
  expect(make(['+'])).toThrow(/invalid module id/);
  expect(make([])).toThrow('at least one module id is needed');
});
