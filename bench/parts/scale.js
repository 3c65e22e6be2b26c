'use strict';
// 3. Scale: 1, 10, 100 mock modules at 10 Hz, host as a child process, vs the bare mqtt.js
// child with as many connections, both running side by side over the same window (so machine
// noise hits both alike). CPU time per published measurement (process.cpuUsage via the probe
// preload, /proc/<pid>/stat as a cross-check) and RSS (/proc/<pid>/status VmRSS, peak).
const path = require('node:path');
const { EverestSide } = require('../lib/everest');
const { spawnHost, spawnBaseline } = require('../lib/host');
const {
  sleep,
  waitFor,
  stopChild,
  procCpuMs,
  procRss,
  readProbe,
  tempDir,
  removeTempDir,
  median,
} = require('../lib/util');

const INTERVAL_MS = 100;

/** One side (host or baseline) with `n` modules under its own topic prefix. */
async function startSide({ broker, everest, kind, n, profileDir }) {
  const dir = tempDir('imd-bench-scale-');
  const probeFile = path.join(dir, 'probe.jsonl');
  const prefix = `bench/scale${kind}${n}x${Date.now()}`;
  await everest.subscribe(`${prefix}/+/m2e/#`);
  const side = { kind, n, dir, probeFile, prefix, seen: new Set(), arrivals: [] };
  side.off = everest.on((t) => {
    if (!t.startsWith(prefix)) return;
    if (t.endsWith('/isolation_measurement')) side.arrivals.push(Date.now());
    else if (t.endsWith('/communication_check')) side.seen.add(t.slice(prefix.length + 1).split('/')[0]);
  });
  const opts = {
    url: broker.url,
    prefix,
    n,
    intervalMs: INTERVAL_MS,
    probeFile,
    profileDir,
    tag: `scale${n}`,
    eldResMs: 0,
  };
  side.child = kind === 'host' ? spawnHost(opts) : spawnBaseline(opts);
  return side;
}

async function stopSide(everest, side) {
  side.off();
  await stopChild(side.child);
  if (side.child.dir) removeTempDir(side.child.dir);
  await everest.unsubscribe(`${side.prefix}/+/m2e/#`);
  removeTempDir(side.dir);
}

/** The figures of one side over [w0, w1]. */
function figures(side, { w0, w1, cpu0, cpu1, rss0, rssSamples, rss1 }) {
  // Precise CPU from the probe: the samples that bracket the window most tightly inside it.
  const samples = readProbe(side.probeFile).filter((s) => !s.final);
  const inside = samples.filter((s) => s.t >= w0 && s.t <= w1);
  const a = inside[0];
  const b = inside[inside.length - 1];
  const msgs = (from, to) => side.arrivals.filter((t) => t > from && t <= to).length;
  const probeMsgs = a && b ? msgs(a.t, b.t) : 0;
  const probeCpuMs = a && b ? (b.cpuUs - a.cpuUs) / 1000 : NaN;
  const windowMsgs = msgs(w0, w1);
  return {
    modules: side.n,
    windowS: (w1 - w0) / 1000,
    messages: windowMsgs,
    expectedMessages: Math.round(((w1 - w0) / INTERVAL_MS) * side.n),
    msgPerS: windowMsgs / ((w1 - w0) / 1000),
    cpuUsPerMsg: (probeCpuMs * 1000) / probeMsgs,
    cpuUsPerMsgProc: ((cpu1 - cpu0) * 1000) / windowMsgs,
    cpuPercent: a && b ? (probeCpuMs / (b.t - a.t)) * 100 : NaN,
    rssMB: rss1 / 2 ** 20,
    rssMaxMB: Math.max(rss0, ...rssSamples) / 2 ** 20,
    heapUsedMB: b ? b.heapUsed / 2 ** 20 : NaN,
    heapTotalMB: b ? b.heapTotal / 2 ** 20 : NaN,
  };
}

/**
 * Start the host and the baseline with `n` modules each, side by side; wait until every module
 * of both has said communication_check, send e2m/start to all (and EVerest's heartbeat every
 * second), warm up, then measure both over the same `windowS`.
 */
async function measurePair({ broker, everest, n, warmupS, windowS, profileDir, log }) {
  const sides = [];
  try {
    for (const kind of ['host', 'baseline']) sides.push(await startSide({ broker, everest, kind, n, profileDir }));
    for (const s of sides) await waitFor(() => s.seen.size >= n, 30000, `${n} ${s.kind} modules to connect`, s.child);
    for (const s of sides) for (const id of s.child.moduleIds) everest.send(`${s.prefix}/${id}`, 'start');
    let hb = 0;
    const hbTimer = setInterval(() => {
      for (const s of sides)
        for (const id of s.child.moduleIds) everest.send(`${s.prefix}/${id}`, 'heartbeat', String(hb), 0);
      hb += 1;
    }, 1000);
    try {
      await sleep(warmupS * 1000);
      const w0 = Date.now();
      const at0 = sides.map((s) => ({ cpu0: procCpuMs(s.child.pid), rss0: procRss(s.child.pid), rssSamples: [] }));
      const end = w0 + windowS * 1000;
      while (Date.now() < end) {
        await sleep(Math.min(1000, end - Date.now()));
        sides.forEach((s, i) => {
          const r = procRss(s.child.pid);
          if (r !== undefined) at0[i].rssSamples.push(r);
          if (s.child.exitCode !== null)
            throw new Error(`${s.kind} exited during the run: ${s.child.output().slice(-2000)}`);
        });
      }
      const w1 = Date.now();
      const at1 = sides.map((s) => ({ cpu1: procCpuMs(s.child.pid), rss1: procRss(s.child.pid) }));
      await sleep(600);
      const out = {};
      sides.forEach((s, i) => {
        const res = figures(s, { w0, w1, ...at0[i], ...at1[i] });
        out[s.kind] = res;
        log(
          `  scale ${n} module(s), ${s.kind}: ${res.msgPerS.toFixed(0)} msg/s, ${res.cpuUsPerMsg.toFixed(1)} µs CPU/msg (${res.cpuPercent.toFixed(1)} % CPU), RSS ${res.rssMB.toFixed(1)} MB (peak ${res.rssMaxMB.toFixed(1)})`,
        );
      });
      return out;
    } finally {
      clearInterval(hbTimer);
    }
  } finally {
    for (const s of sides) await stopSide(everest, s);
  }
}

/**
 * CPU per message at 10 Hz is a few ms of CPU per second: one JIT compile or GC cycle that
 * happens to fall into a window moves it by half (measured: the baseline alone from 430 to
 * 1,320 µs at 1 module). So a full run measures ROUNDS fresh pairs and reports the median CPU
 * of each side (every round is in results.json) and the highest RSS peak of any round.
 */
const ROUNDS = 3;

function combine(rounds) {
  const side = (kind) => {
    const all = rounds.map((r) => r[kind]);
    const cpu = median(all.map((x) => x.cpuUsPerMsg));
    return {
      ...all[all.length - 1],
      cpuUsPerMsg: cpu,
      cpuUsPerMsgRounds: all.map((x) => x.cpuUsPerMsg),
      rssMaxMB: Math.max(...all.map((x) => x.rssMaxMB)),
      rssMaxMBRounds: all.map((x) => x.rssMaxMB),
    };
  };
  return { host: side('host'), baseline: side('baseline') };
}

async function run({ broker, quick, log, profileDir, sizes }) {
  const warmupS = quick ? 2 : 5;
  const windowS = quick ? 5 : 30;
  const rounds = quick ? 1 : ROUNDS;
  const everest = new EverestSide(broker.url, 'scale');
  await everest.connect();
  const results = {};
  for (const n of sizes ?? [1, 10, 100]) {
    const pairs = [];
    for (let i = 0; i < rounds; i += 1) {
      if (rounds > 1) log(`  scale ${n} module(s): round ${i + 1} of ${rounds}`);
      pairs.push(await measurePair({ broker, everest, n, warmupS, windowS, profileDir, log }));
    }
    const r = { modules: n, sideBySide: true, rounds, ...combine(pairs) };
    r.cpuRatio = r.host.cpuUsPerMsg / r.baseline.cpuUsPerMsg;
    r.rssRatio = r.host.rssMaxMB / r.baseline.rssMaxMB;
    results[`modules${n}`] = r;
  }
  await everest.close();
  return results;
}

module.exports = { run, measurePair };
