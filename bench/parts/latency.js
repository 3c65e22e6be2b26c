'use strict';
// 1. Publish latency: a value produced by the mock driver -> EVerest-side subscriber.
// The host is `imd-host run` (child process, the launcher's node options) with MODULES mock
// modules at intervalMs 10 (100 Hz each, 1 kHz in all), each on its own MQTT connection as in
// production; the mock's own timers produce every measurement. A preload (bench/lib/mock-stamp.js)
// only puts a sequence number into each measurement's resistance and records its hrtime just
// before MockDriver#measure hands it to the host. Baseline: the bare mqtt.js child with as many
// connections, publishing the same payload from its own 10 ms timers, stamped just before
// publish(). hrtime is CLOCK_MONOTONIC, shared by all processes, so the harness subtracts its
// arrival stamps directly. Warm-up, then blocks (e2m/start ... e2m/stop) alternating host and
// baseline so that drift hits both sides alike.
const fs = require('node:fs');
const path = require('node:path');
const { EverestSide } = require('../lib/everest');
const { spawnHost, spawnBaseline } = require('../lib/host');
const { sleep, tempDir, waitFor, summary, stopChild, removeTempDir } = require('../lib/util');

const MODULES = 10;
const INTERVAL_MS = 10;
const RATE_HZ = (MODULES * 1000) / INTERVAL_MS;
const MOCK_STAMP = path.join(__dirname, '..', 'lib', 'mock-stamp.js');

async function run({ broker, quick, log, profileDir }) {
  const total = quick ? 2000 : 10000;
  const blocks = quick ? 2 : 5;
  const warmup = quick ? 300 : 1000;
  const dir = tempDir('imd-bench-lat-');
  const everest = new EverestSide(broker.url, 'lat-sub');
  await everest.connect();
  const sides = {};
  try {
    for (const kind of ['host', 'baseline']) {
      const prefix = `bench/lat${kind}${Date.now()}`;
      const stampFile = path.join(dir, `${kind}.stamps.json`);
      const side = { kind, prefix, stampFile, seen: new Set(), arrived: new Map(), block: undefined };
      const topicRe = new RegExp(`^${prefix}/(m\\d+)/m2e/(isolation_measurement|communication_check)$`);
      await everest.subscribe(`${prefix}/+/m2e/#`, 0);
      side.off = everest.on((topic, payload, _t, tHr) => {
        const k = topicRe.exec(topic);
        if (!k) return;
        if (k[2] === 'communication_check') {
          side.seen.add(k[1]);
          return;
        }
        const m = /"resistance_F_Ohm":(\d+)/.exec(payload.toString('latin1'));
        if (!m) return;
        const seq = Number(m[1]);
        side.arrived.set(seq, { t: tHr, block: side.block });
      });
      const opts = {
        url: broker.url,
        prefix,
        n: MODULES,
        intervalMs: INTERVAL_MS,
        tag: 'lat',
        profileDir,
        env: { IMD_BENCH_STAMP_FILE: stampFile },
      };
      side.child = kind === 'host' ? spawnHost({ ...opts, preload: [MOCK_STAMP] }) : spawnBaseline(opts);
      sides[kind] = side;
    }
    for (const s of Object.values(sides)) {
      await waitFor(() => s.seen.size >= MODULES, 15000, `${MODULES} ${s.kind} modules to connect`, s.child);
    }

    /** e2m/start to every module of `side`, until `count` measurements arrived, then e2m/stop. */
    const runBlock = async (side, name, count) => {
      side.block = name;
      const before = side.arrived.size;
      for (const id of side.child.moduleIds) everest.send(`${side.prefix}/${id}`, 'start');
      await waitFor(() => side.arrived.size - before >= count, 30000, `${count} ${side.kind} measurements`, side.child);
      for (const id of side.child.moduleIds) everest.send(`${side.prefix}/${id}`, 'stop');
      await sleep(150); // the stops land, the last messages arrive
    };
    await runBlock(sides.host, 'warmup', warmup);
    await runBlock(sides.baseline, 'warmup', warmup);
    const per = Math.floor(total / blocks);
    for (let b = 0; b < blocks; b += 1) {
      await runBlock(sides.host, `b${b}`, per);
      await runBlock(sides.baseline, `b${b}`, per);
      log(`  latency block ${b + 1}/${blocks} done`);
    }
  } finally {
    // SIGTERM: both children write their stamps on exit.
    for (const s of Object.values(sides)) {
      s.off();
      await stopChild(s.child);
      if (s.child.dir) removeTempDir(s.child.dir);
    }
    await everest.close();
  }

  const lat = (side) => {
    const { ns } = JSON.parse(fs.readFileSync(side.stampFile, 'utf8'));
    const sentAt = (seq) => (seq >= 1 && seq <= ns.length ? ns[seq - 1] : undefined);
    const values = [];
    let lost = 0;
    const measured = [...side.arrived.entries()].filter(([, a]) => a.block && a.block !== 'warmup');
    const seqs = measured.map(([seq]) => seq).sort((a, b) => a - b);
    for (const [seq, a] of measured) {
      const t0 = sentAt(seq);
      if (t0 === undefined) throw new Error(`${side.kind}: no send stamp for measurement ${seq}`);
      values.push((Number(a.t) - t0) / 1e6);
    }
    // Lost: stamped between the first and the last measured arrival of a block, never received.
    // (A measurement stamped after e2m/stop reached the host is dropped by design, not lost.)
    // `seqs` holds every measured arrival, so all numbers between two neighbours never arrived.
    for (let i = 1; i < seqs.length; i += 1) {
      if (side.arrived.get(seqs[i - 1]).block === side.arrived.get(seqs[i]).block) lost += seqs[i] - seqs[i - 1] - 1;
    }
    return { values, lost };
  };
  const h = lat(sides.host);
  const bl = lat(sides.baseline);
  removeTempDir(dir);
  const hs = summary(h.values);
  const bs = summary(bl.values);
  return {
    rateHz: RATE_HZ,
    modules: MODULES,
    intervalMs: INTERVAL_MS,
    messages: h.values.length + h.lost,
    host: { ...hs, lost: h.lost },
    baseline: { ...bs, lost: bl.lost },
    addedP50Ms: hs.p50 - bs.p50,
    addedP99Ms: hs.p99 - bs.p99,
  };
}

module.exports = { run };
