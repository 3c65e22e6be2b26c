/**
 * A third-party plugin as integrators get it: the example plugin built, packed with `npm pack`,
 * installed from the tarball into a project outside this repository, found by its npm name.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { useE2E } from './support/e2e';
import { waitFor } from './support/everest';
import { CLI, runCli, startHost, tempDir } from './support/host';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples/imd-host-plugin-example');
const e2e = useE2E();

let project: string;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', EXAMPLE], {
    stdio: 'pipe',
  });
  const work = tempDir('imd-3p-');
  const packs = path.join(work, 'packs');
  mkdirSync(packs);
  execFileSync('npm', ['pack', EXAMPLE, '--pack-destination', packs, '--silent'], { stdio: 'pipe' });
  const tarball = path.join(
    packs,
    readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
  );
  // The integrator's machine: imd-host installed (its @imd-host/sdk visible from the project),
  // and a project that installs the plugin tarball.
  mkdirSync(path.join(work, 'node_modules/@imd-host'), { recursive: true });
  symlinkSync(path.join(ROOT, 'packages/sdk'), path.join(work, 'node_modules/@imd-host/sdk'));
  project = path.join(work, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'charger-site', private: true }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', '--legacy-peer-deps', tarball],
    {
      cwd: project,
      stdio: 'pipe',
    },
  );
});

test('installed from its tarball and named in the config, it runs in the host and measurements reach EVerest', async () => {
  const pkg = JSON.parse(readFileSync(path.join(project, 'node_modules/imd-host-plugin-example/package.json'), 'utf8'));
  expect(pkg.version).toBe('1.0.0');
  // Its simulator, from the installed package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AcmeSimulator } = require(path.join(project, 'node_modules/imd-host-plugin-example')) as {
    AcmeSimulator: new () => { resistanceOhm: number; start(): Promise<number>; stop(): Promise<void> };
  };
  const sim = new AcmeSimulator();
  sim.resistanceOhm = 3_141_592;
  const port = await sim.start();
  try {
    const config = path.join(project, 'imd-host.config.yaml');
    writeFileSync(
      config,
      `mqtt: { url: ${e2e.broker.url} }
modules:
  - moduleId: acme
    plugin: imd-host-plugin-example
    options: { host: 127.0.0.1, port: ${port}, pollIntervalMs: 200 }
`,
    );
    startHost(['run', '--config', config]);
    await waitFor(() => e2e.everest.of('acme', 'communication_check').length > 0, 8000, 'communication_check');
    e2e.everest.send('acme', 'start', '{}');
    await waitFor(
      () => e2e.everest.of('acme', 'isolation_measurement').length >= 2,
      8000,
      'measurements from the plugin',
    );
    expect(JSON.parse(e2e.everest.of('acme', 'isolation_measurement')[0].payload)).toEqual({
      resistance_F_Ohm: 3141592,
      voltage_V: 400,
    });
    e2e.everest.send('acme', 'start_self_test', '500');
    await waitFor(() => e2e.everest.of('acme', 'self_test_result').length === 1, 8000, 'self test result');
    expect(e2e.everest.of('acme', 'self_test_result')[0].payload).toBe('true');
  } finally {
    await sim.stop();
  }
});

test('list-plugins in the project shows it with its version and SDK compatibility, without running it', () => {
  const out = execFileSync(process.execPath, [CLI, 'list-plugins'], { cwd: project, encoding: 'utf8' });
  expect(out).toMatch(
    /^imd-host-plugin-example\s+1\.0\.0\s+\^1\s+ok\s+Acme ISO-1 insulation monitor over TCP \(example plugin\)$/m,
  );
  expect(out).toMatch(/^mock\s/m);
});

test('a plugin built for another SDK major is refused, naming both versions', async () => {
  const future = path.join(project, 'node_modules/imd-host-plugin-future');
  cpSync(path.join(project, 'node_modules/imd-host-plugin-example'), future, { recursive: true });
  const index = path.join(future, 'dist/index.js');
  writeFileSync(index, readFileSync(index, 'utf8').replace('sdkVersion: sdk_1.SDK_VERSION', "sdkVersion: '2.0.0'"));
  expect(readFileSync(index, 'utf8')).toContain("sdkVersion: '2.0.0'");
  const config = path.join(project, 'future.yaml');
  writeFileSync(
    config,
    'modules:\n  - moduleId: f\n    plugin: imd-host-plugin-future\n    options: { host: 127.0.0.1 }\n',
  );
  const r = await runCli(['validate-config', '--config', config]);
  expect(r.code).toBe(2);
  expect(r.output).toMatch(
    /modules\[0\]\.plugin: plugin "imd-host-plugin-future" \(imd-host-plugin-example 1\.0\.0\) was built for @imd-host\/sdk 2\.0\.0, but this host has @imd-host\/sdk 1\.\d+\.\d+/,
  );
});

test('a plugin that bundles its own copy of the SDK is refused', async () => {
  const bundled = path.join(project, 'node_modules/imd-host-plugin-bundled');
  cpSync(path.join(project, 'node_modules/imd-host-plugin-example'), bundled, { recursive: true });
  cpSync(path.join(ROOT, 'packages/sdk/package.json'), path.join(bundled, 'node_modules/@imd-host/sdk/package.json'), {
    recursive: true,
  });
  cpSync(path.join(ROOT, 'packages/sdk/dist'), path.join(bundled, 'node_modules/@imd-host/sdk/dist'), {
    recursive: true,
  });
  const config = path.join(project, 'bundled.yaml');
  writeFileSync(
    config,
    'modules:\n  - moduleId: b\n    plugin: imd-host-plugin-bundled\n    options: { host: 127.0.0.1 }\n',
  );
  const r = await runCli(['validate-config', '--config', config]);
  expect(r.code).toBe(2);
  expect(r.output).toMatch(
    /modules\[0\]\.plugin: plugin "imd-host-plugin-bundled" bundles its own copy of @imd-host\/sdk/,
  );
});
