/**
 * The protocol guards of IsolationMonitorSession, against a real private broker, with a
 * scriptable in-test driver and mqtt.js playing EVerest.
 */
import { silentLogger, type Driver } from '@imd-host/sdk';
import { MqttJsConnection } from '@imd-host/transport-mqtt';
import { startBroker, type TestBroker } from '../../../test/support/broker';
import { FakeEverest, sleep, waitFor } from '../../../test/support/everest';
import { IsolationMonitorSession } from './session';

class ScriptedDriver implements Driver {
  pollIntervalMs = 100;
  calls: string[] = [];
  startFailures = 0;
  selfTestResult: boolean | 'hang' | 'reject' = true;
  async open(): Promise<void> {
    this.calls.push('open');
  }
  async start(): Promise<void> {
    this.calls.push('start');
    if (this.startFailures > 0) {
      this.startFailures -= 1;
      throw new Error('device busy');
    }
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
  }
  selfTest(_v: number, signal: AbortSignal): Promise<boolean> {
    this.calls.push('selfTest');
    const r = this.selfTestResult;
    if (r === 'reject') return Promise.reject(new Error('self test broke'));
    if (r === 'hang')
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    return new Promise((resolve) => setTimeout(() => resolve(r), 150));
  }
  async close(): Promise<void> {
    this.calls.push('close');
  }
}

let broker: TestBroker;
let everest: FakeEverest;
let session: IsolationMonitorSession | undefined;
let driver: ScriptedDriver;
let n = 0;
let id = '';

beforeAll(async () => {
  broker = await startBroker();
  everest = new FakeEverest(broker.url);
  await everest.connect();
});
afterAll(async () => {
  await everest.close();
  await broker.stop();
});

async function open(
  overrides: Partial<{ selfTestTimeoutMs: number; noDataTimeoutMs: number }> = {},
): Promise<IsolationMonitorSession> {
  n += 1;
  id = `m${n}`;
  const connection = new MqttJsConnection({
    url: broker.url,
    clientId: `session-spec-${n}`,
    keepaliveS: 5,
    log: silentLogger,
  });
  driver = new ScriptedDriver();
  session = new IsolationMonitorSession(
    {
      moduleId: id,
      topicPrefix: 'everest_api/1/isolation_monitor',
      pluginName: 'scripted',
      communicationCheckIntervalMs: 200,
      selfTestTimeoutMs: overrides.selfTestTimeoutMs ?? 1000,
      noDataTimeoutMs: overrides.noDataTimeoutMs,
    },
    connection,
    silentLogger,
  );
  session.attach(driver);
  session.start();
  await waitFor(() => everest.of(id, 'communication_check').length > 0, 5000, 'communication_check');
  return session;
}

afterEach(async () => {
  await session?.shutdown();
  session = undefined;
  expect(everest.invalid).toEqual([]);
});

const emit = (resistanceOhm: number, takenAt = Date.now()): void =>
  session!.driverContext.measurement({ resistanceOhm, takenAt });
const measured = (): number[] =>
  everest.of(id, 'isolation_measurement').map((m) => JSON.parse(m.payload).resistance_F_Ohm as number);

test('communication_check every interval; no measurement before start or after stop', async () => {
  const s = await open();
  emit(1);
  await sleep(500);
  expect(everest.of(id, 'communication_check').length).toBeGreaterThanOrEqual(3);
  everest.send(id, 'start', '{}');
  await waitFor(() => driver.calls.includes('start'), 2000, 'driver start');
  emit(2);
  await waitFor(() => measured().length === 1, 2000, 'a measurement');
  everest.send(id, 'stop', '{}');
  await waitFor(() => driver.calls.includes('stop'), 2000, 'driver stop');
  emit(3);
  await sleep(200);
  expect(measured()).toEqual([2]);
  expect(s.status()).toMatchObject({
    measuring: false,
    published: { measurements: 1, selfTestResults: 0 },
    received: { start: 1, stop: 1, startSelfTest: 0 },
    reconnects: 0,
  });
  expect(s.status().published.communicationChecks).toBeGreaterThanOrEqual(3);
});

test('blocked during DeviceFault/CommunicationFault, not during VendorWarning; stale and invalid dropped', async () => {
  await open();
  everest.send(id, 'start', '{}');
  await waitFor(() => driver.calls.includes('start'), 2000, 'start');
  const ctx = session!.driverContext;
  ctx.raiseError({ type: 'VendorWarning', subType: 'W1' });
  emit(10);
  ctx.raiseError({ type: 'DeviceFault', subType: 'D1' });
  ctx.raiseError({ type: 'DeviceFault', subType: 'D1' }); // duplicate: once
  emit(11);
  ctx.clearError({ type: 'DeviceFault', subType: 'D1' });
  ctx.clearError({ type: 'DeviceFault', subType: 'D1' }); // not active: nothing
  ctx.raiseError({ type: 'CommunicationFault', subType: 'C1' });
  emit(12);
  ctx.clearError({ type: 'CommunicationFault', subType: 'C1' });
  emit(13, Date.now() - 500); // older than the poll period
  ctx.measurement({ resistanceOhm: Number.NaN });
  ctx.measurement({ resistanceOhm: -1 });
  emit(14);
  await waitFor(() => measured().includes(14), 2000, 'last measurement');
  expect(measured()).toEqual([10, 14]);
  expect(everest.of(id, 'raise_error').map((e) => JSON.parse(e.payload).sub_type)).toEqual(['W1', 'D1', 'C1']);
  expect(
    everest
      .of(id, 'clear_error')
      .map((e) => JSON.parse(e.payload).sub_type)
      .filter((s) => s !== 'imd-host/HostOffline'),
  ).toEqual(['D1', 'C1']);
});

test('a clear without sub type re-raises the other active sub types of that type', async () => {
  await open();
  const ctx = session!.driverContext;
  ctx.raiseError({ type: 'VendorError', subType: 'A' });
  ctx.raiseError({ type: 'VendorError' });
  ctx.clearError({ type: 'VendorError' });
  await waitFor(() => everest.of(id, 'raise_error').length === 3, 2000, 're-raise');
  expect(everest.of(id, 'raise_error').map((e) => JSON.parse(e.payload))).toEqual([
    { type: 'VendorError', sub_type: 'A' },
    { type: 'VendorError' },
    { type: 'VendorError', sub_type: 'A' },
  ]);
});

test('self test: one answer per request; time-out and rejection answer false; none measured meanwhile', async () => {
  await open({ selfTestTimeoutMs: 400 });
  everest.send(id, 'start', '{}');
  await waitFor(() => driver.calls.includes('start'), 2000, 'start');
  everest.send(id, 'start_self_test', '500');
  await waitFor(() => session!.status().selfTestActive, 2000, 'self test running');
  everest.send(id, 'start_self_test', '500'); // joins the running one: its own single answer
  await sleep(50);
  emit(99);
  await waitFor(() => everest.of(id, 'self_test_result').length === 2, 2000, 'two answers');
  expect(everest.of(id, 'self_test_result').map((r) => r.payload)).toEqual(['true', 'true']);
  expect(driver.calls.filter((c) => c === 'selfTest')).toHaveLength(1);
  expect(measured()).toEqual([]);
  driver.selfTestResult = 'hang';
  everest.send(id, 'start_self_test', '500');
  await waitFor(() => everest.of(id, 'self_test_result').length === 3, 2000, 'time-out answer');
  driver.selfTestResult = 'reject';
  everest.send(id, 'start_self_test', '500');
  await waitFor(() => everest.of(id, 'self_test_result').length === 4, 2000, 'rejection answer');
  await sleep(600);
  expect(everest.of(id, 'self_test_result').map((r) => r.payload)).toEqual(['true', 'true', 'false', 'false']);
  expect(session!.status().published).toMatchObject({ selfTestResults: 4, selfTestsPassed: 2, selfTestsFailed: 2 });
  expect(session!.status().received.startSelfTest).toBe(4);
  const raised = everest.of(id, 'raise_error').map((e) => JSON.parse(e.payload));
  expect(raised).toContainEqual({
    type: 'CommunicationFault',
    sub_type: 'imd-host/PluginFailure',
    message: 'plugin scripted: selfTest failed: self test broke',
  });
});

test('start() failing: PluginFailure raised, retried, cleared on success', async () => {
  await open();
  driver.startFailures = 1;
  everest.send(id, 'start', '{}');
  await waitFor(() => everest.of(id, 'raise_error').length === 1, 2000, 'PluginFailure');
  await waitFor(
    () => everest.of(id, 'clear_error').some((e) => e.payload.includes('PluginFailure')),
    5000,
    'cleared after retry',
  );
  expect(driver.calls.filter((c) => c === 'start')).toHaveLength(2);
});

test('no-data watchdog: silent driver while measuring → NoData fault, cleared by the next measurement, raised again', async () => {
  await open({ noDataTimeoutMs: 300 });
  everest.send(id, 'start', '{}');
  await waitFor(() => everest.of(id, 'raise_error').some((e) => e.payload.includes('imd-host/NoData')), 3000, 'NoData');
  emit(5);
  await waitFor(
    () => everest.of(id, 'clear_error').some((e) => e.payload.includes('imd-host/NoData')),
    2000,
    'cleared',
  );
  await waitFor(() => measured().includes(5), 2000, 'the measurement after clearing');
  // Silent again: the watchdog is still armed and raises it a second time.
  await waitFor(
    () => everest.of(id, 'raise_error').filter((e) => e.payload.includes('imd-host/NoData')).length === 2,
    3000,
    'NoData again',
  );
});

test('hostile payloads ignored and counted; heartbeat gaps counted', async () => {
  const s = await open();
  for (const p of ['x', '"500"', '2^64', '-0', '1e999', '{}']) everest.send(id, 'start_self_test', p);
  everest.send(id, 'heartbeat', '18446744073709551616');
  everest.send(id, 'heartbeat', '18446744073709551614');
  everest.send(id, 'heartbeat', '18446744073709551615');
  everest.send(id, 'heartbeat', '0');
  everest.send(id, 'heartbeat', '2');
  everest.send(id, 'start', 'not json');
  await waitFor(() => s.status().lastHeartbeat === '2', 2000, 'heartbeats processed');
  expect(s.status().dropped.invalidPayloads).toBe(8);
  expect(s.status().heartbeatGaps).toBe(1);
  expect(s.status().measuring).toBe(false);
  expect(everest.of(id, 'self_test_result')).toEqual([]);
});

test('shutdown answers a running self test false and then publishes nothing', async () => {
  const s = await open({ selfTestTimeoutMs: 10_000 });
  driver.selfTestResult = 'hang';
  everest.send(id, 'start_self_test', '500');
  await waitFor(() => s.status().selfTestActive, 2000, 'running');
  await s.shutdown();
  session = undefined;
  const done = Date.now();
  await waitFor(() => everest.of(id, 'self_test_result').length === 1, 2000, 'answer');
  expect(everest.of(id, 'self_test_result')[0].payload).toBe('false');
  await sleep(500);
  expect(everest.received.filter((r) => r.moduleId === id && r.at > done + 100)).toEqual([]);
  expect(driver.calls.slice(-2)).toEqual(['stop', 'close']);
});
