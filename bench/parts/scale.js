'use strict';
// 3. Scale: 1, 10, 100 mock modules at 10 Hz, host as a child process, vs the bare mqtt.js
// child with as many connections. CPU time per published measurement (process.cpuUsage via
// the probe preload, /proc/<pid>/stat as a cross-check) and RSS (/proc/<pid>/status VmRSS).
const path = require('node:path');
const { EverestSide } = require('../lib/everest');
const { spawnHost, spawnBaseline } = require('../lib/host');
const { sleep, waitFor, stopChild, procCpuMs, procRss, readProbe, tempDir, removeTempDir } = require('../lib/util');

const INTERVAL_MS = 100;

/**
 * Start `kind` with `n` modules, wait until every module has said communication_check, send
 * e2m/start to all (and EVerest's heartbeat every second), warm up, then measure for `windowS`.
 */
async function measureOne({ broker, everest, kind, n, warmupS, windowS, profileDir, log, onSample }) {
  const dir = tempDir('imd-bench-scale-');
  const probeFile = path.join(dir, 'probe.jsonl');
  const prefix = `bench/scale${kind}${n}x${Date.now()}`;
  await everest.subscribe(`${prefix}/+/m2e/#`);
  const seen = new Set();
  const arrivals = []; // Date.now() of every measurement received
  const off = everest.on((t) => {
    if (!t.startsWith(prefix)) return;
    if (t.endsWith('/isolation_measurement')) arrivals.push(Date.now());
    else if (t.endsWith('/communication_check')) seen.add(t.slice(prefix.length + 1).split('/')[0]);
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
  const child = kind === 'host' ? spawnHost(opts) : spawnBaseline(opts);
  try {
    await waitFor(() => seen.size >= n, 30000, `${n} ${kind} modules to connect`, child);
    const readyAt = Date.now();
    for (const id of child.moduleIds) everest.send(`${prefix}/${id}`, 'start');
    let hb = 0;
    const hbTimer = setInterval(() => {
      for (const id of child.moduleIds) everest.send(`${prefix}/${id}`, 'heartbeat', String(hb), 0);
      hb += 1;
    }, 1000);
    try {
      await sleep(warmupS * 1000);
      const w0 = Date.now();
      const cpu0 = procCpuMs(child.pid);
      const rss0 = procRss(child.pid);
      const rssSamples = [];
      const end = w0 + windowS * 1000;
      while (Date.now() < end) {
        await sleep(Math.min(1000, end - Date.now()));
        const r = procRss(child.pid);
        if (r !== undefined) rssSamples.push(r);
        if (onSample) onSample({ child, arrivals });
        if (child.exitCode !== null) throw new Error(`${kind} exited during the run: ${child.output().slice(-2000)}`);
      }
      const w1 = Date.now();
      const cpu1 = procCpuMs(child.pid);
      const rss1 = procRss(child.pid);
      // Precise CPU from the probe: the samples that bracket the window most tightly inside it.
      await sleep(600);
      const samples = readProbe(probeFile).filter((s) => !s.final);
      const inside = samples.filter((s) => s.t >= w0 && s.t <= w1);
      const a = inside[0];
      const b = inside[inside.length - 1];
      const msgs = (from, to) => arrivals.filter((t) => t > from && t <= to).length;
      const probeMsgs = a && b ? msgs(a.t, b.t) : 0;
      const probeCpuMs = a && b ? (b.cpuUs - a.cpuUs) / 1000 : NaN;
      const windowMsgs = msgs(w0, w1);
      const res = {
        modules: n,
        windowS: (w1 - w0) / 1000,
        messages: windowMsgs,
        expectedMessages: Math.round(((w1 - w0) / INTERVAL_MS) * n),
        msgPerS: windowMsgs / ((w1 - w0) / 1000),
        cpuUsPerMsg: (probeCpuMs * 1000) / probeMsgs,
        cpuUsPerMsgProc: ((cpu1 - cpu0) * 1000) / windowMsgs,
        cpuPercent: (probeCpuMs / (b.t - a.t)) * 100,
        rssMB: rss1 / 2 ** 20,
        rssMaxMB: Math.max(rss0, ...rssSamples) / 2 ** 20,
        heapUsedMB: b.heapUsed / 2 ** 20,
        heapTotalMB: b.heapTotal / 2 ** 20,
        readyMs: readyAt,
      };
      log(
        `  scale ${n} module(s), ${kind}: ${res.msgPerS.toFixed(0)} msg/s, ${res.cpuUsPerMsg.toFixed(1)} µs CPU/msg (${res.cpuPercent.toFixed(1)} % CPU), RSS ${res.rssMB.toFixed(1)} MB (peak ${res.rssMaxMB.toFixed(1)})`,
      );
      return res;
    } finally {
      clearInterval(hbTimer);
    }
  } finally {
    off();
    await stopChild(child);
    if (child.dir) removeTempDir(child.dir);
    await everest.unsubscribe(`${prefix}/+/m2e/#`);
    removeTempDir(dir);
  }
}

async function run({ broker, quick, log, profileDir, sizes }) {
  const warmupS = quick ? 2 : 5;
  const windowS = quick ? 5 : 30;
  const everest = new EverestSide(broker.url, 'scale');
  await everest.connect();
  const results = {};
  for (const n of sizes ?? [1, 10, 100]) {
    const r = { modules: n };
    for (const kind of ['host', 'baseline']) {
      r[kind] = await measureOne({ broker, everest, kind, n, warmupS, windowS, profileDir, log });
    }
    r.cpuRatio = r.host.cpuUsPerMsg / r.baseline.cpuUsPerMsg;
    r.rssRatio = r.host.rssMaxMB / r.baseline.rssMaxMB;
    results[`modules${n}`] = r;
  }
  await everest.close();
  return results;
}

module.exports = { run, measureOne };
