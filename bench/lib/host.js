'use strict';
// Run the built imd-host CLI, or the bare mqtt.js baseline, as a child process with N modules.
const fs = require('node:fs');
const path = require('node:path');
const { CLI, PROBE, BASELINE, tempDir, spawnTracked } = require('./util');

const MOCK_PAYLOAD = '{"resistance_F_Ohm":1000000,"voltage_V":400}';

/** A config with `n` mock modules m0..m{n-1}; returns its path. */
function writeMockConfig(dir, { url, prefix, n, intervalMs, tag = 'bench', intervals }) {
  const lines = [
    'mqtt:',
    `  url: ${url}`,
    `  clientId: imd-${tag}`,
    'everest:',
    `  topicPrefix: ${prefix}`,
    'log:',
    '  level: warn',
    'modules:',
  ];
  const count = intervals ? intervals.length : n;
  for (let i = 0; i < count; i += 1) {
    const iv = intervals ? intervals[i] : intervalMs;
    const id = intervals ? `m${iv}` : `m${i}`;
    lines.push(
      `  - moduleId: ${id}`,
      '    plugin: mock',
      '    options:',
      `      intervalMs: ${iv}`,
      '      resistanceOhm: 1000000',
      '      voltageV: 400',
    );
  }
  const file = path.join(dir, 'imd-host.config.yaml');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Extra node options for host children only (`--host-node-args`), to try a proposed fix. */
const hostNodeArgs = () => [
  ...launcherNodeArgs(),
  ...(process.env.IMD_BENCH_HOST_NODE_ARGS || '').split(' ').filter(Boolean),
];

/** The node options the shipped `imd-host` launcher runs with (its shebang), so the bench measures what users run. */
function launcherNodeArgs() {
  const first = require('node:fs')
    .readFileSync(require('node:path').resolve(__dirname, '../../packages/cli/bin/imd-host.js'), 'utf8')
    .split('\n')[0];
  const m = /^#!\/usr\/bin\/env -S node (.*)$/.exec(first);
  return m ? m[1].split(' ').filter(Boolean) : [];
}

function nodeArgs({ probeFile, profileDir, preload }) {
  const a = [];
  if (probeFile) a.push('-r', PROBE);
  if (profileDir) a.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  for (const p of preload ?? []) a.push('-r', p);
  return a;
}

/**
 * Spawn the host: `node [-r bench/probe.js] [--cpu-prof] packages/cli/dist/bin.js run --config F --log-level warn`.
 * Options: url, prefix, n, intervalMs | intervals, probeFile, profileDir, tag, preload (files for -r), env.
 */
function spawnHost(opts) {
  const dir = tempDir('imd-bench-host-');
  const config = writeMockConfig(dir, opts);
  const env = { ...process.env, ...opts.env };
  if (opts.probeFile) env.IMD_BENCH_PROBE_FILE = opts.probeFile;
  if (opts.eldResMs !== undefined) env.IMD_BENCH_PROBE_ELD_RES_MS = String(opts.eldResMs);
  const child = spawnTracked(
    process.execPath,
    [...hostNodeArgs(), ...nodeArgs(opts), CLI, 'run', '--config', config, '--log-level', 'warn'],
    {
      env,
      cwd: dir,
    },
  );
  child.dir = dir;
  child.moduleIds = opts.intervals ? opts.intervals.map((iv) => `m${iv}`) : range(opts.n).map((i) => `m${i}`);
  return child;
}

/** Spawn the bare mqtt.js baseline with the same modules (m0..m{n-1}) and interval. */
function spawnBaseline(opts) {
  const env = {
    ...process.env,
    IMD_BASE_URL: opts.url,
    IMD_BASE_PREFIX: opts.prefix,
    IMD_BASE_MODULES: String(opts.n),
    IMD_BASE_INTERVAL_MS: String(opts.intervalMs),
    IMD_BASE_PAYLOAD: MOCK_PAYLOAD,
    ...opts.env,
  };
  if (opts.probeFile) env.IMD_BENCH_PROBE_FILE = opts.probeFile;
  if (opts.eldResMs !== undefined) env.IMD_BENCH_PROBE_ELD_RES_MS = String(opts.eldResMs);
  const child = spawnTracked(process.execPath, [...nodeArgs(opts), BASELINE], { env });
  child.moduleIds = range(opts.n).map((i) => `m${i}`);
  return child;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);

module.exports = { spawnHost, spawnBaseline, writeMockConfig, MOCK_PAYLOAD, range };
