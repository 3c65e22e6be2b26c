'use strict';
// 2. e2m/start -> first isolation_measurement, mock plugin at intervalMs 1000 and 100, host as a
// child process; baseline: the bare mqtt.js child (publishes at once on e2m/start).
const { EverestSide } = require('../lib/everest');
const { spawnHost, spawnBaseline } = require('../lib/host');
const { sleep, now, waitFor, summary, stopChild } = require('../lib/util');

async function trials(everest, base, n, periodMs) {
  const topic = `${base}/m2e/isolation_measurement`;
  let firstAt;
  let armed = false;
  const off = everest.on((t, _p, tNow) => {
    if (t === topic && armed && firstAt === undefined) firstAt = tNow;
  });
  const out = [];
  try {
    for (let i = 0; i < n; i += 1) {
      // A random phase against the module's own timers (communication check, scenario, GC).
      await sleep(20 + Math.random() * periodMs);
      firstAt = undefined;
      armed = true;
      const t0 = now();
      everest.send(base, 'start');
      await waitFor(() => firstAt !== undefined, periodMs * 3 + 2000, `measurement ${i + 1} after e2m/start`);
      out.push(firstAt - t0);
      armed = false;
      everest.send(base, 'stop');
      await sleep(60);
    }
  } finally {
    off();
  }
  return out;
}

async function run({ broker, quick, log }) {
  const n = quick ? 5 : 20;
  const results = {};
  const everest = new EverestSide(broker.url, 'start');
  await everest.connect();
  for (const periodMs of [1000, 100]) {
    const r = {};
    for (const kind of ['host', 'baseline']) {
      const prefix = `bench/start${periodMs}${kind}${Date.now()}`;
      await everest.subscribe(`${prefix}/+/m2e/#`);
      let commChecks = 0;
      const off = everest.on((t) => {
        if (t.startsWith(prefix) && t.endsWith('/communication_check')) commChecks += 1;
      });
      const child =
        kind === 'host'
          ? spawnHost({ url: broker.url, prefix, intervals: [periodMs], tag: 'start' })
          : spawnBaseline({ url: broker.url, prefix, n: 1, intervalMs: periodMs });
      await waitFor(() => commChecks > 0, 15000, `${kind} to connect`, child);
      const base = `${prefix}/${child.moduleIds[0]}`;
      const values = await trials(everest, base, n, periodMs);
      off();
      await stopChild(child);
      await everest.unsubscribe(`${prefix}/+/m2e/#`);
      r[kind] = summary(values);
      r[kind].values = values.map((v) => Math.round(v * 1000) / 1000);
      log(
        `  start->first measurement, ${periodMs} ms, ${kind}: p50 ${r[kind].p50.toFixed(2)} ms, max ${r[kind].max.toFixed(2)} ms`,
      );
    }
    results[`interval${periodMs}`] = { periodMs, goalMs: periodMs + 5, ...r };
  }
  await everest.close();
  return results;
}

module.exports = { run };
