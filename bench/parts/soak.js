'use strict';
// 6. Soak: 100 mock modules at 10 Hz for `soakS` seconds. The host and the bare mqtt.js
// baseline run side by side (same machine load); both carry the probe preload, which samples
// RSS and the event-loop delay (monitorEventLoopDelay, 5 ms resolution) every second.
const path = require('node:path');
const { EverestSide } = require('../lib/everest');
const { spawnHost, spawnBaseline } = require('../lib/host');
const { sleep, waitFor, stopChild, procRss, readProbe, tempDir, removeTempDir, median } = require('../lib/util');

const N = 100;
const INTERVAL_MS = 100;
const ELD_RES_MS = 5;

async function run({ broker, quick, log, soakS, profileDir }) {
  const durationS = soakS ?? (quick ? 20 : 300);
  const warmupS = Math.min(60, Math.max(5, Math.round(durationS / 5)));
  const spanS = Math.min(10, Math.max(2, Math.round(durationS / 30))); // averaging span for RSS
  const dir = tempDir('imd-bench-soak-');
  const everest = new EverestSide(broker.url, 'soak');
  await everest.connect();
  const sides = {};
  try {
    for (const kind of ['host', 'baseline']) {
      const prefix = `bench/soak${kind}${Date.now()}`;
      const probeFile = path.join(dir, `${kind}.jsonl`);
      await everest.subscribe(`${prefix}/+/m2e/#`);
      const s = { kind, prefix, probeFile, seen: new Set(), measurements: 0, errors: 0 };
      everest.on((t) => {
        if (!t.startsWith(prefix)) return;
        if (t.endsWith('/isolation_measurement')) s.measurements += 1;
        else if (t.endsWith('/communication_check')) s.seen.add(t.slice(prefix.length + 1).split('/')[0]);
        else if (t.endsWith('/raise_error')) s.errors += 1;
      });
      const opts = {
        url: broker.url,
        prefix,
        n: N,
        intervalMs: INTERVAL_MS,
        probeFile,
        eldResMs: ELD_RES_MS,
        profileDir,
      };
      process.env.IMD_BENCH_PROBE_MS = '1000';
      s.child = kind === 'host' ? spawnHost(opts) : spawnBaseline(opts);
      delete process.env.IMD_BENCH_PROBE_MS;
      sides[kind] = s;
    }
    for (const s of Object.values(sides))
      await waitFor(() => s.seen.size >= N, 30000, `${N} ${s.kind} modules`, s.child);
    const t0 = Date.now();
    for (const s of Object.values(sides))
      for (const id of s.child.moduleIds) everest.send(`${s.prefix}/${id}`, 'start');
    let hb = 0;
    const hbTimer = setInterval(() => {
      for (const s of Object.values(sides)) {
        for (const id of s.child.moduleIds) everest.send(`${s.prefix}/${id}`, 'heartbeat', String(hb), 0);
      }
      hb += 1;
    }, 1000);
    const startCounts = {};
    try {
      let lastLog = Date.now();
      await sleep(warmupS * 1000);
      for (const s of Object.values(sides)) startCounts[s.kind] = s.measurements;
      const tw = Date.now();
      while (Date.now() < t0 + durationS * 1000) {
        await sleep(Math.min(1000, t0 + durationS * 1000 - Date.now()));
        for (const s of Object.values(sides)) {
          if (s.child.exitCode !== null)
            throw new Error(`${s.kind} exited during the soak: ${s.child.output().slice(-2000)}`);
        }
        if (Date.now() - lastLog >= 60000) {
          lastLog = Date.now();
          const h = procRss(sides.host.child.pid);
          log(
            `  soak: ${Math.round((Date.now() - t0) / 1000)} s of ${durationS} s, host RSS ${(h / 2 ** 20).toFixed(1)} MB`,
          );
        }
      }
      const tEnd = Date.now();
      const out = { modules: N, durationS, warmupS, averagedOverS: spanS };
      for (const s of Object.values(sides)) {
        const endRss = procRss(s.child.pid);
        await sleep(50);
        const samples = readProbe(s.probeFile).filter((x) => !x.final);
        const rssAt = (from, to) => median(samples.filter((x) => x.t >= from && x.t <= to).map((x) => x.rss)) / 2 ** 20;
        const afterWarm = rssAt(tw, tw + spanS * 1000);
        const atEnd = rssAt(tEnd - spanS * 1000, tEnd);
        const running = samples.filter((x) => x.t > t0 + 1000);
        const startup = samples.filter((x) => x.t <= t0 + 1000);
        const seconds = (tEnd - tw) / 1000;
        out[s.kind] = {
          rssAfterWarmupMB: afterWarm,
          rssEndMB: atEnd,
          rssGrowthMB: atEnd - afterWarm,
          rssMaxMB: Math.max(...running.map((x) => x.rss)) / 2 ** 20,
          rssMaxAfterWarmupMB: Math.max(...samples.filter((x) => x.t >= tw).map((x) => x.rss)) / 2 ** 20,
          rssEndProcMB: endRss / 2 ** 20,
          heapUsedEndMB: samples.at(-1).heapUsed / 2 ** 20,
          eldMaxMs: Math.max(0, ...running.map((x) => x.eldMaxMs)),
          eldP99MaxMs: Math.max(0, ...running.map((x) => x.eldP99Ms)),
          eldStartupMaxMs: Math.max(0, ...startup.map((x) => x.eldMaxMs)),
          stallsOver50ms: running.filter((x) => x.eldMaxMs > 50).length,
          msgPerS: (s.measurements - startCounts[s.kind]) / seconds,
          expectedMsgPerS: (N * 1000) / INTERVAL_MS,
          errorsRaised: s.errors,
        };
        log(
          `  soak ${s.kind}: RSS ${afterWarm.toFixed(1)} -> ${atEnd.toFixed(1)} MB (peak ${out[s.kind].rssMaxAfterWarmupMB.toFixed(1)}), max event-loop delay ${out[s.kind].eldMaxMs.toFixed(1)} ms, ${out[s.kind].msgPerS.toFixed(0)} msg/s`,
        );
      }
      return out;
    } finally {
      clearInterval(hbTimer);
    }
  } finally {
    for (const s of Object.values(sides)) {
      await stopChild(s.child);
      if (s.child.dir) removeTempDir(s.child.dir);
    }
    await everest.close();
    removeTempDir(dir);
  }
}

module.exports = { run };
