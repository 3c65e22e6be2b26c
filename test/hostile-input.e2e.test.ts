/**
 * Hostile input end to end: 10,000 mixed invalid payloads on every e2m topic while valid
 * requests keep being answered; zero crashes, bounded memory.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { useE2E } from './support/e2e';
import { sleep, waitFor } from './support/everest';
import { startHost, tempDir, writeConfig, type HostProcess } from './support/host';

jest.setTimeout(180_000);

const e2e = useE2E({ everestPer: 'file' });
let host: HostProcess | undefined;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmRSS');
  return Number(m[1]);
}

/** Payloads that are invalid on every e2m topic (start/stop accept any JSON, so none here is JSON). */
function hostilePayload(i: number, rnd: () => number): string | Buffer {
  switch (i % 12) {
    case 0:
      return 'not json at all';
    case 1:
      return Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]); // invalid UTF-8
    case 2:
      return '['.repeat(5000 + Math.floor(rnd() * 5000)); // unterminated deep nesting
    case 3:
      return i % 600 === 3 ? 'x'.repeat(1024 * 1024) : 'y'.repeat(5000); // 1 MB now and then
    case 4:
      return 'NaN';
    case 5:
      return '-Infinity';
    case 6:
      return '{"a":' + '{"a":'.repeat(2000);
    case 7:
      return Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256)));
    case 8:
      return '18446744073709551616' + '9'.repeat(Math.floor(rnd() * 30)) + 'x';
    case 9:
      return '\u0000\u0001\u0002';
    case 10:
      return '1e99999x';
    default:
      return '"unterminated';
  }
}

/** Valid JSON, but the wrong type or out of range for start_self_test and heartbeat. */
const wrongTypes = [
  '"500"',
  'null',
  'true',
  '{}',
  '[]',
  '-1',
  '0',
  '2001',
  '1e400',
  '18446744073709551616',
  '-5',
  '3.5e',
  '{"v":500}',
];

test('10,000 hostile payloads: no crash, no answer to them, valid requests still answered, memory bounded', async () => {
  host = startHost([
    'run',
    '--config',
    writeConfig(`mqtt: { url: ${e2e.broker.url} }
log: { level: warn }
modules:
  - moduleId: target
    plugin: mock
    selfTestTimeoutS: 5
    options: { intervalMs: 100, selfTestDurationMs: 50 }
`),
  ]);
  await waitFor(() => e2e.everest.of('target', 'communication_check').length > 0, 5000, 'connected');
  await sleep(500);
  const pid = host.child.pid!;
  const rssBefore = rssKb(pid);
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const topics = ['start', 'stop', 'start_self_test', 'heartbeat'] as const;
  let valid = 0;
  for (let i = 0; i < 10_000; i += 1) {
    const topic = topics[i % 4];
    const payload =
      (topic === 'start_self_test' || topic === 'heartbeat') && i % 3 === 0
        ? wrongTypes[i % wrongTypes.length]
        : hostilePayload(i, rnd);
    e2e.everest.send('target', topic, payload);
    if (i % 1000 === 999) {
      // A valid request in the middle of the storm; wait for its answer before going on.
      e2e.everest.send('target', 'start_self_test', '500');
      valid += 1;
      await waitFor(
        () => e2e.everest.of('target', 'self_test_result').length === valid,
        15000,
        `answer to valid self test ${valid}`,
      );
    }
    if (i % 200 === 0) await sleep(5); // let the broker breathe; mosquitto drops QoS 1 floods otherwise
  }
  await sleep(1000);
  expect(host.child.exitCode).toBeNull();
  expect(e2e.everest.of('target', 'self_test_result').map((r) => r.payload)).toEqual(Array(10).fill('true'));
  // Nothing hostile started measurements.
  expect(e2e.everest.of('target', 'isolation_measurement')).toEqual([]);
  // Still healthy afterwards.
  e2e.everest.send('target', 'start', '{}');
  await waitFor(
    () => e2e.everest.of('target', 'isolation_measurement').length >= 3,
    5000,
    'measurements after the storm',
  );
  const rssAfter = rssKb(pid);
  expect(rssAfter - rssBefore).toBeLessThan(60 * 1024);
  const warnings = host.logs().filter((l) => l.msg === 'ignoring invalid payload from EVerest');
  expect(warnings.length).toBeGreaterThan(9000);
  expect(e2e.everest.invalid).toEqual([]);
});

test('property: the config loader never throws anything but a ConfigError, whatever the file holds', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require('@imd-host/core') as typeof import('@imd-host/core');
  const { writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  const dir = tempDir('imd-fuzz-');
  const file = path.join(dir, 'imd-host.config.yaml');
  const json = fc.jsonValue({ maxDepth: 4 });
  const moduleArb = fc.record(
    {
      moduleId: fc.oneof(fc.string(), fc.constantFrom('iso', 'a/b', '', '#')),
      plugin: fc.oneof(fc.constantFrom('mock', './x.js', 'imd-host-plugin-nope', ''), fc.string()),
      options: fc.oneof(json, fc.dictionary(fc.constantFrom('intervalMs', 'resistanceOhm', 'scenario', 'x'), json)),
      selfTestTimeoutS: json,
    },
    { requiredKeys: [] },
  );
  const configArb = fc.oneof(
    json,
    fc.record(
      {
        mqtt: fc.oneof(json, fc.dictionary(fc.constantFrom('url', 'keepaliveS', 'tls', 'passwordFile'), json)),
        modules: fc.oneof(json, fc.array(moduleArb, { maxLength: 3 })),
      },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(
      fc.oneof(
        configArb.map((c) => JSON.stringify(c)),
        fc.string({ maxLength: 200 }),
      ),
      (text) => {
        writeFileSync(file, text);
        try {
          core.loadConfig({ file, cwd: dir });
        } catch (err) {
          if (!(err instanceof core.ConfigError)) throw err;
          for (const line of err.lines) expect(line.startsWith('imd-host.config.yaml: ')).toBe(true);
        }
      },
    ),
    { numRuns: 400 },
  );
});
