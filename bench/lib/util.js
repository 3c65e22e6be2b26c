'use strict';
// Shared helpers of the benchmark: process/temp-dir registry with cleanup (also on Ctrl-C),
// free ports, statistics, /proc readers.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const PROBE = path.join(ROOT, 'bench', 'probe.js');
const BASELINE = path.join(ROOT, 'bench', 'lib', 'baseline-child.js');

const children = new Set();
const tempDirs = new Set();
const closers = new Set();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function tempDir(prefix = 'imd-bench-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

function removeTempDir(d) {
  fs.rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

/** Spawn a child that is killed by cleanup(); resolves `exited` with { code, signal }. */
function spawnTracked(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    if (out.length < 200000) out += d.toString();
  });
  child.stderr?.on('data', (d) => {
    if (out.length < 200000) out += d.toString();
  });
  child.output = () => out;
  child.exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
async function stopChild(child, graceMs = 2500) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(t);
}

/** Register an async closer (mqtt clients, in-process hosts) run by cleanup(). */
function onCleanup(fn) {
  closers.add(fn);
  return () => closers.delete(fn);
}

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const fn of [...closers].reverse()) {
    try {
      await Promise.race([fn(), sleep(2000)]);
    } catch {
      // best effort
    }
  }
  await Promise.all([...children].map((c) => stopChild(c, 1500)));
  for (const d of [...tempDirs]) removeTempDir(d);
}

function cleanupSync() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of [...tempDirs]) fs.rmSync(d, { recursive: true, force: true });
}

function installSignalHandlers() {
  let count = 0;
  const handler = (sig) => {
    count += 1;
    if (count > 1) {
      cleanupSync();
      process.exit(130);
    }
    console.error(`\n${sig}: stopping every benchmark process and removing temp dirs ...`);
    cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  process.on('exit', cleanupSync);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = srv.address().port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(30);
  }
}

async function waitFor(pred, timeoutMs, what, child) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (child && child.exitCode !== null) {
      throw new Error(`${what}: the process exited with ${child.exitCode}: ${child.output().slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      const out = child ? `; its output: ${child.output().slice(-2000)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${out}`);
    }
    await sleep(5);
  }
}

// ---- statistics ------------------------------------------------------------------------

function quantile(values, q) {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[idx];
}
const median = (v) => quantile(v, 0.5);
const mean = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
function summary(values) {
  return {
    n: values.length,
    min: values.length ? Math.min(...values) : NaN,
    p50: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    max: values.length ? values.reduce((a, b) => Math.max(a, b), -Infinity) : NaN,
    mean: mean(values),
  };
}

// ---- /proc ---------------------------------------------------------------------------

const CLK_TCK = 100; // getconf CLK_TCK on Linux; the probe's process.cpuUsage is used where precision matters

/** utime + stime of `pid` in ms, or undefined when gone. */
function procCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after "(comm)": state is f[0] (field 3), utime field 14 -> f[11], stime field 15 -> f[12]
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** VmRSS of `pid` in bytes, or undefined. */
function procRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Read the JSON-lines sample file the probe writes. */
function readProbe(file) {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

function machine() {
  const cpus = os.cpus();
  let nproc = cpus.length;
  try {
    nproc = require('node:child_process').execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // os.cpus() count
  }
  return {
    nproc: Number(nproc),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memTotalMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

module.exports = {
  ROOT,
  CLI,
  PROBE,
  BASELINE,
  sleep,
  now,
  tempDir,
  removeTempDir,
  spawnTracked,
  stopChild,
  onCleanup,
  cleanup,
  installSignalHandlers,
  freePort,
  waitForPort,
  waitFor,
  quantile,
  median,
  mean,
  summary,
  procCpuMs,
  procRss,
  readProbe,
  machine,
};
