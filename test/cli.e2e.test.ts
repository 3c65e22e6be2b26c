/**
 * The imd-host command line: help, version, validate-config, list-plugins, config errors at
 * startup, and SIGHUP reload.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { useE2E } from './support/e2e';
import { sleep, waitFor } from './support/everest';
import { runCli, startHost, writeConfig, type HostProcess } from './support/host';

const ROOT = path.resolve(__dirname, '..');

test('--help and --version', async () => {
  const help = await runCli(['--help']);
  expect(help.code).toBe(0);
  for (const cmd of ['run', 'validate-config', 'list-plugins', 'simulate-device']) expect(help.output).toContain(cmd);
  const v = await runCli(['--version']);
  expect(v.code).toBe(0);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(v.output.trim()).toBe((require('../packages/cli/package.json') as { version: string }).version);
});

test('validate-config: OK for every example config shipped in config/', async () => {
  const files = readdirSync(path.join(ROOT, 'config')).filter((f) => f.endsWith('.yaml') && !f.startsWith('simulate-'));
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const f of files) {
    const r = await runCli(['validate-config', '--config', path.join(ROOT, 'config', f)]);
    expect({ f, code: r.code }).toEqual({ f, code: 0 });
    expect(r.output).toMatch(/^OK: /);
  }
});

test('validate-config and run: every problem as file: path: message, exit 2, nothing started', async () => {
  const file = writeConfig(`mqtt:
  url: mqtt://127.0.0.1:1
modules:
  - moduleId: iso
    plugin: mock
    options: { intervalMs: 5, colour: blue }
  - moduleId: iso
    plugin: mock
`);
  // The file is outside the working directory: it is named by its absolute path.
  const expected = [
    `${file}: modules[1].moduleId: duplicate module id "iso" (also modules[0])`,
    `${file}: modules[0].options.colour: is not a known setting here`,
    `${file}: modules[0].options.intervalMs: must be >= 10`,
  ];
  const v = await runCli(['validate-config', '--config', file]);
  expect(v.code).toBe(2);
  expect(v.output.trim().split('\n')).toEqual(expected);
  const r = await runCli(['run', '--config', file]);
  expect(r.code).toBe(2);
  expect(r.output).toContain(expected.join('\n'));
  expect(r.output).toContain('configuration invalid (3 problem(s)); not started');
});

test('list-plugins lists the built-in plugins from their manifests', async () => {
  const r = await runCli(['list-plugins']);
  expect(r.code).toBe(0);
  expect(r.output).toMatch(/^mock\s+0\.1\.0\s+\^1\s+ok\s+Simulated IMD/m);
  expect(r.output).toMatch(/^modbus\s/m);
  expect(r.output).toMatch(/^bender-can\s/m);
});

describe('SIGHUP', () => {
  const e2e = useE2E({ everestPer: 'file' });
  let host: HostProcess | undefined;

  test('reloads: invalid file rejected and the running config kept; changed module restarts, unchanged keeps running', async () => {
    const cfg = (rB: number, extra = ''): string => `mqtt: { url: ${e2e.broker.url} }
log: { level: info }
modules:
  - moduleId: a
    plugin: mock
    options: { intervalMs: 100, resistanceOhm: 1000000 }
  - moduleId: b
    plugin: mock
    options: { intervalMs: 100, resistanceOhm: ${rB} }
${extra}`;
    const file = writeConfig(cfg(2000000));
    host = startHost(['run', '--config', file]);
    await waitFor(
      () =>
        e2e.everest.of('a', 'communication_check').length > 0 && e2e.everest.of('b', 'communication_check').length > 0,
      5000,
      'connected',
    );
    e2e.everest.send('a', 'start', '{}');
    e2e.everest.send('b', 'start', '{}');
    await waitFor(() => e2e.everest.of('b', 'isolation_measurement').length > 2, 3000, 'measuring');

    // An invalid file: rejected, everything keeps running.
    writeFileSync(file, cfg(2000000).replace('intervalMs: 100, resistanceOhm: 1000000', 'intervalMs: 1'));
    host.child.kill('SIGHUP');
    await waitFor(
      () => host!.logs().some((l) => l.msg === 'SIGHUP: new configuration rejected; keeping the running one'),
      3000,
      'rejection logged',
    );
    const rejected = host.logs().find((l) => l.msg === 'SIGHUP: new configuration rejected; keeping the running one')!;
    expect(rejected.problems).toEqual([`${file}: modules[0].options.intervalMs: must be >= 10`]);
    const t1 = Date.now();
    await sleep(500);
    expect(e2e.everest.of('a', 'isolation_measurement', t1).length).toBeGreaterThan(2);

    // A valid change to module b and a new module c.
    writeFileSync(file, cfg(3000000, `  - moduleId: c\n    plugin: mock\n    options: { intervalMs: 100 }\n`));
    host.child.kill('SIGHUP');
    await waitFor(() => host!.logs().some((l) => l.msg === 'configuration reloaded'), 3000, 'reloaded');
    const reloaded = host.logs().find((l) => l.msg === 'configuration reloaded')!;
    expect(reloaded).toMatchObject({ restarted: ['b'], unchanged: ['a'], started: ['c'], stopped: [] });
    await waitFor(() => e2e.everest.of('c', 'communication_check').length > 0, 3000, 'module c up');
    // Module a never stopped measuring; b restarted and waits for EVerest's start again.
    const t2 = Date.now();
    await sleep(600);
    expect(e2e.everest.of('a', 'isolation_measurement', t2).length).toBeGreaterThan(2);
    expect(e2e.everest.of('b', 'isolation_measurement', t2)).toEqual([]);
    e2e.everest.send('b', 'start', '{}');
    await waitFor(
      () =>
        e2e.everest
          .of('b', 'isolation_measurement', t2)
          .some((m) => JSON.parse(m.payload).resistance_F_Ohm === 3000000),
      3000,
      'b measuring with its new value',
    );
    expect(host.child.exitCode).toBeNull();
  });
});
