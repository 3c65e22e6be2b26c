/**
 * Fault isolation: a misbehaving plugin is contained in its own module — its failures become
 * errors of that module, the other module keeps running, and it recovers when the plugin does.
 */
import * as path from 'node:path';
import { useE2E } from './support/e2e';
import { sleep, waitFor } from './support/everest';
import { runCli, startHost, writeConfig, type HostProcess } from './support/host';

const FAULTY = path.resolve(__dirname, 'fixtures/faulty-plugin.js');

const e2e = useE2E();
let host: HostProcess | undefined;

function run(faultyOptions: string, extra = ''): HostProcess {
  host = startHost([
    'run',
    '--config',
    writeConfig(`mqtt: { url: ${e2e.broker.url}, keepaliveS: 2 }
log: { level: debug }
modules:
  - moduleId: bad
    plugin: ${FAULTY}
    selfTestTimeoutS: 1
    options: ${faultyOptions}
  - moduleId: good
    plugin: mock
    options: { intervalMs: 100, resistanceOhm: 7000000 }
${extra}`),
  ]);
  return host;
}

async function connected(): Promise<void> {
  await waitFor(
    () =>
      e2e.everest.of('bad', 'communication_check').length > 0 &&
      e2e.everest.of('good', 'communication_check').length > 0,
    5000,
    'both modules connected',
  );
}

const errorsOf = (id: string, kind: 'raise_error' | 'clear_error'): Array<Record<string, string>> =>
  e2e.everest.of(id, kind).map((e) => JSON.parse(e.payload) as Record<string, string>);

test('start() rejecting twice: CommunicationFault naming the plugin and cause, retried, cleared on recovery; the other module unaffected', async () => {
  run('{ failStarts: 2 }');
  await connected();
  e2e.everest.send('bad', 'start', '{}');
  e2e.everest.send('good', 'start', '{}');
  await waitFor(() => errorsOf('bad', 'raise_error').length > 0, 5000, 'PluginFailure raised');
  expect(errorsOf('bad', 'raise_error')[0]).toEqual({
    type: 'CommunicationFault',
    sub_type: 'imd-host/PluginFailure',
    message: 'plugin faulty-plugin: start failed: simulated start failure 1/2',
  });
  await waitFor(
    () => errorsOf('bad', 'clear_error').some((e) => e.sub_type === 'imd-host/PluginFailure'),
    10000,
    'recovered',
  );
  await waitFor(() => e2e.everest.of('bad', 'isolation_measurement').length >= 3, 5000, 'measurements after recovery');
  // Raised once (the no-data watchdog may add its own NoData fault meanwhile: also legitimate).
  expect(errorsOf('bad', 'raise_error').filter((e) => e.sub_type === 'imd-host/PluginFailure')).toHaveLength(1);
  const g = e2e.everest.of('good', 'isolation_measurement');
  expect(g.length).toBeGreaterThan(10);
  expect(errorsOf('good', 'raise_error')).toEqual([]);
});

test('a synchronous throw in start() is contained the same way', async () => {
  run('{ failStarts: 1, throwSyncInStart: true }');
  await connected();
  e2e.everest.send('bad', 'start', '{}');
  await waitFor(() => errorsOf('bad', 'raise_error').length > 0, 5000, 'PluginFailure raised');
  expect(errorsOf('bad', 'raise_error')[0].message).toBe(
    'plugin faulty-plugin: start failed: synchronous throw in start',
  );
  await waitFor(() => e2e.everest.of('bad', 'isolation_measurement').length >= 2, 10000, 'measurements after recovery');
});

test('open() failing at startup is retried and cleared', async () => {
  run('{ failOpens: 1 }');
  await connected();
  await waitFor(
    () => errorsOf('bad', 'clear_error').some((e) => e.sub_type === 'imd-host/PluginFailure'),
    10000,
    'open recovered',
  );
  expect(errorsOf('bad', 'raise_error')[0].message).toBe(
    'plugin faulty-plugin: open failed: simulated open failure 1/1',
  );
});

test('unhandled rejections from a plugin poll, invalid and stale values: logged, host alive, only valid fresh values published', async () => {
  const h = run('{ rejectPollEvery: 3, emitGarbage: true, resistanceOhm: 424242 }');
  await connected();
  e2e.everest.send('bad', 'start', '{}');
  e2e.everest.send('good', 'start', '{}');
  await sleep(2000);
  expect(h.child.exitCode).toBeNull();
  const values = e2e.everest
    .of('bad', 'isolation_measurement')
    .map((m) => JSON.parse(m.payload).resistance_F_Ohm as number);
  expect(values.length).toBeGreaterThan(5);
  expect(new Set(values)).toEqual(new Set([424242]));
  expect(h.logs().some((l) => l.msg === 'unhandled promise rejection (contained)')).toBe(true);
  expect(h.logs().some((l) => l.msg === 'stale measurement dropped')).toBe(true);
  expect(h.logs().some((l) => l.msg === 'driver reported an invalid measurement; dropped')).toBe(true);
  expect(e2e.everest.of('good', 'isolation_measurement').length).toBeGreaterThan(10);
});

test('a self test that never answers or rejects: false exactly once', async () => {
  run(
    '{ hangSelfTest: true }',
    `  - moduleId: rej
    plugin: ${FAULTY}
    selfTestTimeoutS: 1
    options: { rejectSelfTest: true }
`,
  );
  await connected();
  e2e.everest.send('bad', 'start_self_test', '500');
  e2e.everest.send('rej', 'start_self_test', '500');
  e2e.everest.send('good', 'start_self_test', '500');
  await waitFor(() => e2e.everest.of('bad', 'self_test_result').length === 1, 4000, 'hung self test answered');
  await waitFor(() => e2e.everest.of('rej', 'self_test_result').length === 1, 4000, 'rejected self test answered');
  await waitFor(() => e2e.everest.of('good', 'self_test_result').length === 1, 5000, 'good self test answered');
  await sleep(1500);
  expect(e2e.everest.of('bad', 'self_test_result').map((r) => r.payload)).toEqual(['false']);
  expect(e2e.everest.of('rej', 'self_test_result').map((r) => r.payload)).toEqual(['false']);
  expect(e2e.everest.of('good', 'self_test_result').map((r) => r.payload)).toEqual(['true']);
  expect(errorsOf('rej', 'raise_error')[0].message).toBe(
    'plugin faulty-plugin: selfTest failed: simulated self-test failure',
  );
});

test('a plugin that leaks its timers after stop publishes nothing after stop', async () => {
  run('{ leakAfterStop: true }');
  await connected();
  e2e.everest.send('bad', 'start', '{}');
  await waitFor(() => e2e.everest.of('bad', 'isolation_measurement').length >= 3, 5000, 'measurements');
  e2e.everest.send('bad', 'stop', '{}');
  await sleep(300);
  const after = Date.now();
  await sleep(1000);
  expect(e2e.everest.of('bad', 'isolation_measurement', after)).toEqual([]);
});

test('a plugin whose createDriver throws is a clear startup error', async () => {
  const { code, output } = await runCli([
    'run',
    '--config',
    writeConfig(`mqtt: { url: ${e2e.broker.url} }
modules:
  - moduleId: bad
    plugin: ${FAULTY}
    options: { throwInCreate: true }
`),
  ]);
  expect(code).toBe(1);
  expect(output).toContain(
    'module bad: plugin faulty-plugin could not create its driver: cannot create: simulated constructor failure',
  );
});

test('a plugin that cannot be found or loaded is a clear config error (exit 2)', async () => {
  const { code, output } = await runCli([
    'run',
    '--config',
    writeConfig(`modules:
  - moduleId: a
    plugin: imd-host-plugin-nonexistent
  - moduleId: b
    plugin: ./nowhere.js
`),
  ]);
  expect(code).toBe(2);
  expect(output).toMatch(
    /imd-host\.config\.yaml: modules\[0\]\.plugin: cannot find plugin "imd-host-plugin-nonexistent"/,
  );
  expect(output).toMatch(
    /imd-host\.config\.yaml: modules\[1\]\.plugin: cannot find plugin "\.\/nowhere\.js": no module at /,
  );
});
