'use strict';
// 4. Cold start: spawn -> first communication_check received (and -> every module's first),
// 1 and 100 modules, host CLI vs the bare mqtt.js child.
const { EverestSide } = require('../lib/everest');
const { spawnHost, spawnBaseline } = require('../lib/host');
const { now, waitFor, median, stopChild, sleep, removeTempDir } = require('../lib/util');

async function run({ broker, quick, log }) {
  const trials = quick ? 2 : 5;
  const everest = new EverestSide(broker.url, 'cold');
  await everest.connect();
  const results = {};
  for (const n of [1, 100]) {
    const r = {};
    for (const kind of ['host', 'baseline']) {
      const first = [];
      const all = [];
      for (let i = 0; i < trials; i += 1) {
        const prefix = `bench/cold${n}${kind}${i}${Date.now()}`;
        await everest.subscribe(`${prefix}/+/m2e/communication_check`);
        const seen = new Map();
        const off = everest.on((t, _p, tNow) => {
          if (!t.startsWith(prefix)) return;
          const id = t.slice(prefix.length + 1).split('/')[0];
          if (!seen.has(id)) seen.set(id, tNow);
        });
        const t0 = now();
        const child =
          kind === 'host'
            ? spawnHost({ url: broker.url, prefix, n, intervalMs: 100, tag: 'cold' })
            : spawnBaseline({ url: broker.url, prefix, n, intervalMs: 100 });
        await waitFor(() => seen.size >= n, 20000, `${n} ${kind} modules' first communication_check`, child);
        const times = [...seen.values()];
        first.push(Math.min(...times) - t0);
        all.push(Math.max(...times) - t0);
        off();
        await stopChild(child);
        if (child.dir) removeTempDir(child.dir);
        await everest.unsubscribe(`${prefix}/+/m2e/communication_check`);
        await sleep(100);
      }
      r[kind] = { firstMs: median(first), allMs: median(all), firstTrials: first, allTrials: all };
      log(
        `  cold start ${n} module(s), ${kind}: first ${r[kind].firstMs.toFixed(0)} ms, all ${r[kind].allMs.toFixed(0)} ms (median of ${trials})`,
      );
    }
    results[`modules${n}`] = { modules: n, ...r };
  }
  await everest.close();
  return results;
}

module.exports = { run };
