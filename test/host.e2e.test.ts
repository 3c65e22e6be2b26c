/**
 * End-to-end: the real `imd-host` binary against a private broker, with mqtt.js playing EVerest.
 */
import { useE2E } from './support/e2e';
import { sleep, waitFor } from './support/everest';
import { startHost, writeConfig, type HostProcess } from './support/host';

const e2e = useE2E();
/** The host of the running test (killed after each test by useE2E). */
let host: HostProcess | undefined;

function config(url: string, modules: string): string {
  return writeConfig(
    `mqtt:\n  url: ${url}\n  clientId: e2e\n  keepaliveS: 2\nlog:\n  level: debug\nmodules:\n${modules}`,
  );
}

const twoModules = (url: string): string =>
  config(
    url,
    `  - moduleId: left
    plugin: mock
    selfTestTimeoutS: 1.5
    options: { intervalMs: 200, resistanceOhm: 2500000, voltageV: 400, voltageToEarthL1eV: 200, selfTestDurationMs: 400, selfTestResult: true }
  - moduleId: right
    plugin: mock
    selfTestTimeoutS: 1.5
    options: { intervalMs: 300, resistanceOhm: 900000, selfTestDurationMs: 400, selfTestResult: false }
`,
  );

async function startTwo(): Promise<HostProcess> {
  host = startHost(['run', '--config', twoModules(e2e.broker.url)]);
  await waitFor(
    () =>
      e2e.everest.of('left', 'communication_check').length > 0 &&
      e2e.everest.of('right', 'communication_check').length > 0,
    5000,
    'communication_check from both modules',
  );
  return host;
}

test('communication_check true within 2 s of start, then every interval; nothing measured before start', async () => {
  const t0 = Date.now();
  host = startHost(['run', '--config', twoModules(e2e.broker.url)]);
  await waitFor(
    () => e2e.everest.of('left', 'communication_check').length > 0,
    2000,
    'first communication_check within 2 s',
  );
  const firstAt = e2e.everest.of('left', 'communication_check')[0].at;
  expect(firstAt - t0).toBeLessThan(2000);
  await sleep(2300);
  const checks = e2e.everest.of('left', 'communication_check');
  expect(checks.length).toBeGreaterThanOrEqual(3);
  expect(checks.every((c) => c.payload === 'true')).toBe(true);
  expect(e2e.everest.received.filter((r) => r.kind === 'isolation_measurement')).toEqual([]);
});

test('start → measurements at the interval with the mock values; stop → none', async () => {
  await startTwo();
  e2e.everest.send('left', 'start', '{}');
  await waitFor(() => e2e.everest.of('left', 'isolation_measurement').length >= 5, 5000, '5 measurements');
  const ms = e2e.everest.of('left', 'isolation_measurement');
  expect(JSON.parse(ms[0].payload)).toEqual({ resistance_F_Ohm: 2500000, voltage_V: 400, voltage_to_earth_l1e_V: 200 });
  const gaps = ms.slice(1).map((m, i) => m.at - ms[i].at);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  expect(mean).toBeGreaterThan(100);
  expect(mean).toBeLessThan(400);
  // The other module was not started.
  expect(e2e.everest.of('right', 'isolation_measurement')).toEqual([]);

  e2e.everest.send('left', 'stop', '{}');
  await sleep(300);
  const stoppedAt = Date.now();
  await sleep(800);
  expect(e2e.everest.of('left', 'isolation_measurement', stoppedAt)).toEqual([]);
});

test('self test: pass and fail, one result per request, no measurement while it runs', async () => {
  await startTwo();
  e2e.everest.send('left', 'start', '{}');
  await waitFor(() => e2e.everest.of('left', 'isolation_measurement').length >= 2, 3000, 'measurements');
  const t = Date.now();
  e2e.everest.send('left', 'start_self_test', '500');
  e2e.everest.send('right', 'start_self_test', '500.0');
  await waitFor(() => e2e.everest.of('left', 'self_test_result', t).length === 1, 3000, 'left self test result');
  await waitFor(() => e2e.everest.of('right', 'self_test_result', t).length === 1, 3000, 'right self test result');
  const leftResult = e2e.everest.of('left', 'self_test_result', t)[0];
  expect(leftResult.payload).toBe('true');
  expect(e2e.everest.of('right', 'self_test_result', t)[0].payload).toBe('false');
  // Nothing measured between the request and the answer (the mock takes 400 ms).
  const during = e2e.everest.of('left', 'isolation_measurement', t + 50).filter((m) => m.at < leftResult.at);
  expect(during).toEqual([]);
  // Measurements resume afterwards; still exactly one result each.
  await waitFor(
    () => e2e.everest.of('left', 'isolation_measurement', leftResult.at).length >= 2,
    3000,
    'measurements after the self test',
  );
  await sleep(500);
  expect(e2e.everest.of('left', 'self_test_result', t)).toHaveLength(1);
  expect(e2e.everest.of('right', 'self_test_result', t)).toHaveLength(1);
});

test('a self test the device never answers is answered false after selfTestTimeoutS, exactly once', async () => {
  host = startHost([
    'run',
    '--config',
    config(
      e2e.broker.url,
      `  - moduleId: hang
    plugin: mock
    selfTestTimeoutS: 1
    options: { intervalMs: 200, scenario: { steps: [ { atMs: 0, selfTestHangs: true } ] } }
`,
    ),
  ]);
  await waitFor(() => e2e.everest.of('hang', 'communication_check').length > 0, 5000, 'communication_check');
  const t = Date.now();
  e2e.everest.send('hang', 'start_self_test', '500');
  await waitFor(() => e2e.everest.of('hang', 'self_test_result').length === 1, 4000, 'self test result');
  const r = e2e.everest.of('hang', 'self_test_result')[0];
  expect(r.payload).toBe('false');
  expect(r.at - t).toBeGreaterThanOrEqual(900);
  await sleep(1500);
  expect(e2e.everest.of('hang', 'self_test_result')).toHaveLength(1);
});

test('device errors and a silent device: errors raised and cleared, no measurement meanwhile, the other module unaffected', async () => {
  host = startHost([
    'run',
    '--config',
    config(
      e2e.broker.url,
      `  - moduleId: faulty
    plugin: mock
    noDataTimeoutMs: 800
    options:
      intervalMs: 100
      resistanceOhm: 1000000
      scenario:
        steps:
          - { atMs: 1500, raiseError: { type: DeviceFault, subType: E1, message: 'measuring circuit' } }
          - { atMs: 2500, clearError: { type: DeviceFault, subType: E1 } }
          - { atMs: 3500, deviceSilent: true }
          - { atMs: 5000, deviceSilent: false }
  - moduleId: healthy
    plugin: mock
    options: { intervalMs: 100, resistanceOhm: 3000000 }
`,
    ),
  ]);
  await waitFor(() => e2e.everest.of('faulty', 'communication_check').length > 0, 5000, 'communication_check');
  e2e.everest.send('faulty', 'start', '{}');
  e2e.everest.send('healthy', 'start', '{}');
  await waitFor(
    () => e2e.everest.of('faulty', 'raise_error').some((e) => e.payload.includes('DeviceFault')),
    5000,
    'DeviceFault',
  );
  const raised = e2e.everest.of('faulty', 'raise_error').find((e) => e.payload.includes('DeviceFault'))!;
  expect(JSON.parse(raised.payload)).toEqual({ type: 'DeviceFault', sub_type: 'E1', message: 'measuring circuit' });
  await waitFor(
    () => e2e.everest.of('faulty', 'clear_error').some((e) => e.payload.includes('DeviceFault')),
    5000,
    'DeviceFault cleared',
  );
  const cleared = e2e.everest.of('faulty', 'clear_error').find((e) => e.payload.includes('DeviceFault'))!;
  expect(
    e2e.everest.of('faulty', 'isolation_measurement').filter((m) => m.at > raised.at + 20 && m.at < cleared.at),
  ).toEqual([]);
  // The silent device: the host itself raises CommunicationFault, then clears it when data returns.
  await waitFor(
    () => e2e.everest.of('faulty', 'raise_error').some((e) => e.payload.includes('CommunicationFault')),
    6000,
    'CommunicationFault for the silent device',
  );
  const comm = e2e.everest.of('faulty', 'raise_error').find((e) => e.payload.includes('CommunicationFault'))!;
  expect(JSON.parse(comm.payload).message).toMatch(/no measurement/);
  await waitFor(
    () => e2e.everest.of('faulty', 'clear_error').some((e) => e.payload.includes('CommunicationFault')),
    6000,
    'CommunicationFault cleared',
  );
  await waitFor(
    () =>
      e2e.everest.of('faulty', 'isolation_measurement', Date.now()).length > 0 ||
      e2e.everest.of('faulty', 'isolation_measurement').at(-1)!.at > comm.at,
    3000,
    'measurements again',
  );
  // Raised once, cleared once.
  expect(e2e.everest.of('faulty', 'raise_error').filter((e) => e.payload.includes('DeviceFault'))).toHaveLength(1);
  expect(e2e.everest.of('faulty', 'clear_error').filter((e) => e.payload.includes('DeviceFault'))).toHaveLength(1);
  // The healthy module measured all along, with no errors.
  const hs = e2e.everest.of('healthy', 'isolation_measurement');
  expect(hs.length).toBeGreaterThan(30);
  expect(e2e.everest.of('healthy', 'raise_error')).toEqual([]);
});

test('hostile payloads are logged and ignored; valid requests keep being answered', async () => {
  await startTwo();
  const hostile: Array<string | Buffer> = [
    'not json',
    '{"a":',
    '"500"',
    'null',
    'NaN',
    'Infinity',
    '-1',
    '1e400',
    '18446744073709551616',
    '-5',
    '2001',
    '{}',
    '[]',
    'x'.repeat(1024 * 1024),
    Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0xc3, 0x28]),
    '['.repeat(10000),
  ];
  for (const p of hostile) {
    e2e.everest.send('left', 'start_self_test', p);
    e2e.everest.send('left', 'heartbeat', p);
  }
  e2e.everest.send('left', 'start', 'garbage{');
  e2e.everest.send('left', 'stop', Buffer.alloc(100_000, 0x41));
  e2e.everest.sendRaw('everest_api/1/isolation_monitor/left/e2m/unknown', 'whatever');
  await sleep(500);
  expect(host!.child.exitCode).toBeNull();
  expect(e2e.everest.of('left', 'self_test_result')).toEqual([]);
  expect(e2e.everest.of('left', 'isolation_measurement')).toEqual([]);
  // Still alive and answering.
  e2e.everest.send('left', 'heartbeat', '18446744073709551615');
  e2e.everest.send('left', 'heartbeat', '0');
  e2e.everest.send('left', 'start_self_test', '500');
  await waitFor(
    () => e2e.everest.of('left', 'self_test_result').length === 1,
    3000,
    'self test result after hostile input',
  );
  const warnings = host!.logs().filter((l) => l.msg === 'ignoring invalid payload from EVerest');
  expect(warnings.length).toBeGreaterThanOrEqual(hostile.length);
});

test('SIGTERM: clean exit 0 within 2 s, nothing published afterwards, no last will fired', async () => {
  const h = await startTwo();
  e2e.everest.send('left', 'start', '{}');
  await waitFor(() => e2e.everest.of('left', 'isolation_measurement').length >= 2, 3000, 'measurements');
  const t = Date.now();
  h.kill('SIGTERM');
  const { code } = await h.exited;
  const exitedAt = Date.now();
  expect(code).toBe(0);
  expect(exitedAt - t).toBeLessThan(2000);
  await sleep(3500); // > 1.5 x keepalive (2 s): a will would have arrived
  expect(e2e.everest.received.filter((r) => r.at > exitedAt)).toEqual([]);
  host = undefined;
});

test('a frozen host (like a power loss: no FIN, no DISCONNECT): the will arrives once the broker sees the keepalive expire', async () => {
  const h = await startTwo();
  h.kill('SIGSTOP');
  const frozenAt = Date.now();
  await waitFor(
    () => e2e.everest.of('right', 'raise_error', frozenAt).some((e) => e.payload.includes('imd-host/HostOffline')),
    15000,
    'last will after keepalive expiry',
  );
  const at = e2e.everest.of('right', 'raise_error', frozenAt)[0].at - frozenAt;
  // keepaliveS 2: the broker gives up after 1.5 x 2 s = 3 s, but mosquitto 2.0 sweeps its
  // clients' keepalives only when more than 5 whole seconds have passed since the last sweep
  // (keepalive.c: `last_keepalive_check + 5 < db.now_s`): 3 s + up to 6 s + 1 s of rounding.
  // Measured here: 4.6 to 8.8 s. Not before 2 s: a will this early would mean the socket was
  // closed, which a frozen process does not do.
  expect(at).toBeGreaterThan(2000);
  expect(at).toBeLessThan(11000);
  h.kill('SIGKILL');
});

test('SIGINT: clean exit 0 within 2 s', async () => {
  const h = await startTwo();
  const t = Date.now();
  h.kill('SIGINT');
  const { code } = await h.exited;
  expect(code).toBe(0);
  expect(Date.now() - t).toBeLessThan(2000);
  host = undefined;
});

test('SIGKILL: the broker delivers each module its last will (CommunicationFault); the next start clears it', async () => {
  const h = await startTwo();
  // The will can arrive before this process sees the child's exit: take the time first.
  const killedAt = Date.now();
  h.kill('SIGKILL');
  await h.exited;
  host = undefined;
  await waitFor(
    () =>
      ['left', 'right'].every((m) =>
        e2e.everest.of(m, 'raise_error', killedAt).some((e) => e.payload.includes('imd-host/HostOffline')),
      ),
    6000,
    'last will for both modules',
  );
  const willMsg = e2e.everest.of('left', 'raise_error', killedAt)[0];
  const will = JSON.parse(willMsg.payload);
  expect(will.type).toBe('CommunicationFault');
  // keepaliveS is 2: the broker notices after 1.5 x keepalive (plus its own check granularity).
  expect(willMsg.at - killedAt).toBeLessThan(1.5 * 2000 + 1000);
  const restart = Date.now();
  await startTwo();
  await waitFor(
    () =>
      ['left', 'right'].every((m) =>
        e2e.everest.of(m, 'clear_error', restart).some((e) => e.payload.includes('imd-host/HostOffline')),
      ),
    5000,
    'will cleared on restart',
  );
});
