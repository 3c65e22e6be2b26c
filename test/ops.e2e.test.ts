/**
 * End-to-end: the operator tools of @imd-host/ops with the real `imd-host` binary and the mock
 * plugin against a private broker: simulate-everest in script mode, the watch view in a real
 * pty (tmux), and /healthz and /metrics during a fault.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import mqtt from 'mqtt';
import { freePort, startBroker, type TestBroker } from './support/broker';
import { FakeEverest, PREFIX, sleep, waitFor } from './support/everest';
import { CLI, runCli, startHost, tempDir, writeConfig, type HostProcess } from './support/host';

let broker: TestBroker;
let host: HostProcess;
let httpPort: number;
const dir = tempDir('imd-ops-');

/**
 * `iso_a`: steady 2.5 MOhm, self test passes in 300 ms. `iso_b`: 900 kOhm with a DeviceFault
 * raised 2.5 s into every 7 s cycle and cleared 3 s later.
 */
function hostConfig(url: string, port: number): string {
  return writeConfig(`mqtt:
  url: ${url}
  clientId: ops-e2e
  keepaliveS: 2
http:
  port: ${port}
log:
  level: info
modules:
  - moduleId: iso_a
    plugin: mock
    options: { intervalMs: 200, resistanceOhm: 2500000, voltageV: 400, selfTestDurationMs: 300, selfTestResult: true }
  - moduleId: iso_b
    plugin: mock
    options:
      intervalMs: 200
      resistanceOhm: 900000
      scenario:
        repeat: true
        periodMs: 7000
        steps:
          - { atMs: 2500, raiseError: { type: DeviceFault, subType: E01, message: measuring circuit } }
          - { atMs: 5500, clearError: { type: DeviceFault, subType: E01 } }
`);
}

/** Poll an async check until it returns a value (not undefined) or time runs out. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await sleep(100);
  }
}

function script(name: string, yamlText: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yamlText);
  return file;
}

async function simulate(
  args: readonly string[],
  during?: (sim: HostProcess) => Promise<void>,
): Promise<{ code: number | null; output: string }> {
  const sim = startHost([
    'simulate-everest',
    '--url',
    broker.url,
    '--heartbeat-ms',
    '250',
    '--comm-check-timeout-s',
    '3',
    ...args,
  ]);
  try {
    if (during) await during(sim);
    const { code } = await sim.exited;
    return { code, output: sim.output() };
  } finally {
    sim.kill('SIGKILL');
    await sim.exited;
  }
}

beforeAll(async () => {
  broker = await startBroker();
  httpPort = await freePort();
  host = startHost(['run', '--config', hostConfig(broker.url, httpPort)]);
  await eventually(
    async () => ((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status > 0 ? true : undefined),
    10_000,
    'the HTTP server of imd-host',
  );
});

afterAll(async () => {
  if (host) {
    host.kill('SIGTERM');
    const timer = setTimeout(() => host.kill('SIGKILL'), 3000);
    await host.exited;
    clearTimeout(timer);
  }
  await broker?.stop();
});

describe('simulate-everest --script against the mock plugin', () => {
  test('a passing script exits 0 and prints PASS for each expectation', async () => {
    const file = script(
      'pass.yaml',
      `- { expect: communication_check, module: iso_a, equals: true, within: 3000 }
- { send: start }
- { expect: isolation_measurement, within: 3000, where: { resistance_F_Ohm: { min: 1000000 }, voltage_V: 400 } }
- { send: start_self_test, voltage: 500 }
- { expect: self_test_result, equals: true, within: 5000 }
- { send: stop }
- { wait: 300 }
- { expectNo: isolation_measurement, for: 1000 }
`,
    );
    const { code, output } = await simulate(['--module-id', 'iso_a', '--script', file]);
    expect(output).toContain('PASS script: 4 passed, 0 failed, 0 invalid payload(s)');
    expect(output.match(/^PASS step/gm)).toHaveLength(4);
    expect(output).toMatch(/^\S+Z iso_a <- m2e\/self_test_result true$/m);
    expect(output).toMatch(/^\S+Z iso_a -> e2m\/start_self_test 500$/m);
    expect(output).not.toContain('FAIL');
    expect(code).toBe(0);
  });

  test('a failing expectation prints FAIL with the reason and exits non-zero', async () => {
    const file = script(
      'fail.yaml',
      `- { send: start }
- { expect: isolation_measurement, within: 3000, where: { resistance_F_Ohm: { max: 1000 } } }
- { send: start_self_test }
- { expect: self_test_result, equals: false, within: 3000 }
- { send: stop }
`,
    );
    const { code, output } = await simulate(['--module-id', 'iso_a', '--script', file]);
    expect(output).toMatch(
      /^FAIL step 2: expect isolation_measurement where .* within 3000 ms: \d+ isolation_measurement received, none matched; last iso_a .*: resistance_F_Ohm is 2500000, expected <= 1000$/m,
    );
    expect(output).toMatch(/^FAIL step 4: .*last iso_a true: payload true, expected false$/m);
    expect(output).toContain('FAIL script: 0 passed, 2 failed, 0 invalid payload(s)');
    expect(code).toBe(1);
  });

  test('an invalid m2e payload is reported INVALID and fails the script; a silent module is warned about', async () => {
    const file = script('invalid.yaml', `- { wait: 1500 }\n`);
    const rogue = await mqtt.connectAsync(broker.url);
    try {
      const { code, output } = await simulate(
        ['--module-id', 'iso_rogue', '--script', file, '--comm-check-timeout-s', '1'],
        async (sim) => {
          await waitFor(() => sim.output().includes('simulating EVerest'), 5000, 'the simulator to subscribe');
          await rogue.publishAsync(`${PREFIX}/iso_rogue/m2e/isolation_measurement`, '{"voltage_V":400}', { qos: 1 });
        },
      );
      expect(output).toMatch(
        /iso_rogue <- m2e\/isolation_measurement \{"voltage_V":400\} INVALID \(payload must have required property 'resistance_F_Ohm'\)/,
      );
      // Nothing serves iso_rogue: no communication_check, as EVerest would notice.
      expect(output).toMatch(
        /^\S+Z iso_rogue WARN no communication_check true since start: EVerest raises CommunicationFault \(Initial communication check\)$/m,
      );
      expect(output).toContain('FAIL script: 0 passed, 0 failed, 1 invalid payload(s)');
      expect(code).toBe(1);
    } finally {
      await rogue.endAsync(true);
    }
  });

  test('a script with errors is rejected before connecting (exit 2)', async () => {
    const file = script('bad.yaml', `- { send: reboot }\n- { expect: nothing }\n`);
    const { code, output } = await simulate(['--module-id', 'iso_a', '--script', file]);
    expect(output).toContain(`${file}: step 1: send must be one of start, stop, start_self_test, heartbeat`);
    expect(output).toContain(`${file}: step 2: expect must be one of`);
    expect(code).toBe(2);
  });
});

describe('with EVerest measuring', () => {
  let everest: FakeEverest;

  beforeAll(async () => {
    everest = new FakeEverest(broker.url);
    await everest.connect();
    everest.send('iso_a', 'start', '{}');
    everest.send('iso_b', 'start', '{}');
    await waitFor(() => everest.of('iso_a', 'isolation_measurement').length > 0, 5000, 'iso_a measuring');
  });

  afterAll(async () => {
    await everest?.close();
    expect(everest.invalid).toEqual([]);
  });

  describe('watch in a real terminal (tmux)', () => {
    const socket = `imd-ops-e2e-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

    afterAll(() => {
      tmux('kill-server');
    });

    test('shows every module with state, resistance and the active error; q quits', async () => {
      const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
      if (probe.error) {
        throw new Error(
          'this test needs tmux (apt-get install -y tmux; .ci/run installs it); it was not found on PATH',
        );
      }
      const command = `'${process.execPath}' '${CLI}' watch --url ${broker.url}`;
      const started = tmux('new-session', '-d', '-s', 'watch', '-x', '120', '-y', '40', command);
      expect(started.stderr).toBe('');
      expect(started.status).toBe(0);
      let screen = '';
      await eventually(
        async () => {
          screen = tmux('capture-pane', '-p', '-t', 'watch').stdout;
          // iso_b's fault comes back every 7 s, and the view only knows errors raised while it watches.
          const wanted = [
            /ERROR DeviceFault\/E01 "measuring circuit"/,
            /^iso_a {2}MEASURING {2}R = 2\.50 MOhm {2}U = 400 V/m,
            /^iso_b {2}MEASURING {2}R = 900\.0 kOhm/m,
          ];
          return wanted.every((re) => re.test(screen)) ? true : undefined;
        },
        20_000,
        'the watch screen to show both modules measuring (2.50 MOhm, 900.0 kOhm) and the DeviceFault of iso_b',
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- screen ---\n${screen}`);
      });
      expect(screen).toMatch(
        /^imd-host watch {2}mqtt:\/\/127\.0\.0\.1:\d+ {2}everest_api\/1\/isolation_monitor .* connected/m,
      );
      expect(screen).toMatch(/communication_check: true \d+\.\d s ago/);
      tmux('send-keys', '-t', 'watch', 'q');
      await eventually(
        async () => (tmux('has-session', '-t', 'watch').status !== 0 ? true : undefined),
        5000,
        'watch to quit on q',
      );
    });
  });

  describe('/healthz and /metrics during a DeviceFault', () => {
    const base = (): string => `http://127.0.0.1:${httpPort}`;
    const metric = (text: string, series: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const scrape = async (): Promise<string> => {
      const res = await fetch(`${base()}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };

    test('200 before, 503 listing the fault during it; the error gauge is 1 and measurements count up', async () => {
      // Before (or between) faults: healthy.
      const ok = await eventually(
        async () => {
          const res = await fetch(`${base()}/healthz`);
          return res.status === 200 ? ((await res.json()) as { status: string; modules: unknown[] }) : undefined;
        },
        10_000,
        '/healthz 200 outside the fault window',
      );
      expect(ok.status).toBe('ok');
      expect(ok.modules).toEqual([
        expect.objectContaining({ moduleId: 'iso_a', connected: true, healthy: true, problems: [] }),
        expect.objectContaining({ moduleId: 'iso_b', connected: true, healthy: true, problems: [] }),
      ]);
      const before = metric(await scrape(), 'imd_m2e_published_total{module="iso_a",kind="isolation_measurement"}');
      expect(before).toBeGreaterThan(0);

      // During the fault: 503 with the error listed.
      const failing = await eventually(
        async () => {
          const res = await fetch(`${base()}/healthz`);
          return res.status === 503 ? ((await res.json()) as { status: string; modules: unknown[] }) : undefined;
        },
        10_000,
        '/healthz 503 during the DeviceFault',
      );
      expect(failing.status).toBe('fail');
      expect(failing.modules).toEqual([
        expect.objectContaining({ moduleId: 'iso_a', healthy: true }),
        expect.objectContaining({
          moduleId: 'iso_b',
          healthy: false,
          problems: ['DeviceFault/E01: measuring circuit'],
          activeErrors: [{ type: 'DeviceFault', subType: 'E01', message: 'measuring circuit' }],
        }),
      ]);
      const during = await eventually(
        async () => {
          const text = await scrape();
          return metric(text, 'imd_active_errors{module="iso_b",type="DeviceFault"}') === 1 ? text : undefined;
        },
        10_000,
        'imd_active_errors{module="iso_b",type="DeviceFault"} = 1',
      );
      expect(metric(during, 'imd_active_errors{module="iso_a",type="DeviceFault"}')).toBe(0);
      expect(metric(during, 'imd_mqtt_connected{module="iso_b"}')).toBe(1);
      expect(metric(during, 'imd_last_measurement_age_seconds{module="iso_a"}')).toBeGreaterThanOrEqual(0);
      expect(during).toContain('# TYPE imd_device_request_seconds histogram');
      await eventually(
        async () => {
          const n = metric(await scrape(), 'imd_m2e_published_total{module="iso_a",kind="isolation_measurement"}');
          return n !== undefined && before !== undefined && n > before ? n : undefined;
        },
        5000,
        'the iso_a measurement counter to increase',
      );
      // And it heals: back to 200 once the fault is cleared.
      await eventually(
        async () => ((await fetch(`${base()}/healthz`)).status === 200 ? true : undefined),
        10_000,
        '/healthz 200 after the fault cleared',
      );
      const after = await scrape();
      expect(metric(after, 'imd_active_errors{module="iso_b",type="DeviceFault"}')).toBe(0);
      expect(metric(after, 'imd_m2e_published_total{module="iso_b",kind="clear_error"}')).toBeGreaterThanOrEqual(1);
    });
  });
});

describe('the http section of the configuration', () => {
  test('is validated like every other section', async () => {
    const file = writeConfig(`http:\n  port: 0\n  bind: 0.0.0.0\nmodules:\n  - moduleId: iso\n    plugin: mock\n`);
    const { code, output } = await runCli(['validate-config', '--config', file]);
    expect(output).toContain(`${file}: http.port: must be >= 1`);
    expect(output).toMatch(/http: must NOT have additional properties.*bind|http\.bind/);
    expect(code).toBe(2);
  });

  test('a port that cannot be bound stops imd-host with exit 1 and says why', async () => {
    const file = writeConfig(
      `mqtt:\n  url: ${broker.url}\n  clientId: ops-busy\nhttp:\n  port: ${httpPort}\nmodules:\n  - moduleId: iso_busy\n    plugin: mock\n`,
    );
    const { code, output } = await runCli(['run', '--config', file]);
    expect(output).toMatch(
      /"err":"listen EADDRINUSE[^"]*","port":\d+,"host":"127.0.0.1","msg":"http: cannot listen; stopping"/,
    );
    expect(output).toContain('"msg":"imd-host stopped"');
    expect(output).not.toMatch(/Unhandled|connack timeout|^\s+at /m);
    expect(code).toBe(1);
  });
});

test('SIGTERM: imd-host stops the HTTP server and exits 0', async () => {
  host.kill('SIGTERM');
  const { code } = await host.exited;
  expect(code).toBe(0);
  await expect(fetch(`http://127.0.0.1:${httpPort}/healthz`)).rejects.toThrow();
  expect(host.output()).toMatch(/"msg":"http: \/healthz and \/metrics listening"/);
});
