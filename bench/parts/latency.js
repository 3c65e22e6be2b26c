'use strict';
// 1. Publish latency: driver emit -> EVerest-side subscriber, host in-process, vs a bare
// mqtt.js client publishing the same payloads on the same broker at the same rate.
const fs = require('node:fs');
const path = require('node:path');
const mqtt = require('mqtt');
const { EverestSide } = require('../lib/everest');
const { sleep, tempDir, waitFor, summary, onCleanup } = require('../lib/util');

const RATE_HZ = 1000;

/** Emit `count` messages at RATE_HZ through `emit(seq)`, from `seq0` on; resolves when all are sent. */
async function paced(seq0, count, emit) {
  const t0 = process.hrtime.bigint();
  const periodNs = BigInt(Math.round(1e9 / RATE_HZ));
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Number((process.hrtime.bigint() - t0) / periodNs) + 1);
    while (sent < due) {
      emit(seq0 + sent);
      sent += 1;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function run({ broker, quick, log }) {
  const total = quick ? 2000 : 10000;
  const blocks = quick ? 2 : 5;
  const warmup = quick ? 300 : 1000;
  const prefix = `bench/lat${Date.now()}`;
  const core = require('@imd-host/core');
  const { drivers } = require('../bench-plugin');

  const dir = tempDir('imd-bench-lat-');
  const logFile = path.join(dir, 'host.log');
  const loaded = core.loadConfig({
    file: path.join(__dirname, '..', 'latency.config.yaml'),
    env: { ...process.env, IMD_BENCH_MQTT_URL: broker.url, IMD_BENCH_PREFIX: prefix },
  });
  const logStream = fs.createWriteStream(logFile);
  const hostLog = core.createLogger({ level: 'warn', destination: logStream });
  const container = core.createHostContainer(loaded, hostLog);
  const host = container.get(core.ImdHostToken);

  const everest = new EverestSide(broker.url, 'lat-sub');
  await everest.connect();
  const hostTopic = `${prefix}/lat/m2e/isolation_measurement`;
  const baseTopic = `${prefix}/base/m2e/isolation_measurement`;
  await everest.subscribe([hostTopic, baseTopic], 0);

  const recv = { host: new Map(), base: new Map() };
  everest.on((topic, payload, _t, tHr) => {
    const kind = topic === hostTopic ? 'host' : topic === baseTopic ? 'base' : undefined;
    if (!kind) return;
    const m = /"resistance_F_Ohm":(\d+)/.exec(payload.toString('latin1'));
    if (m) recv[kind].set(Number(m[1]), tHr);
  });

  await host.start();
  const stopHost = onCleanup(() => host.stop());
  await waitFor(() => drivers.get('lat') && host.status()[0]?.connected, 10000, 'the in-process host to connect');
  const driver = drivers.get('lat');
  if (process.env.IMD_BENCH_HOST_NODELAY === '1') {
    // Experiment for the fix proposed in docs/performance.md: TCP_NODELAY on the host's MQTT
    // socket only (reaches into private fields; not used by a normal run).
    for (const r of host.running.values()) r.runner.session.connection.client.stream.setNoDelay(true);
    log("  (experiment: TCP_NODELAY set on the host module's MQTT socket)");
  }
  everest.send(`${prefix}/lat`, 'start');
  await waitFor(() => driver.started, 5000, 'the bench driver to be started');

  const pub = mqtt.connect(broker.url, { clientId: `imd-bench-lat-pub-${process.pid}`, protocolVersion: 4 });
  await new Promise((resolve, reject) => {
    pub.once('connect', resolve);
    pub.once('error', reject);
  });
  const baseSent = new Map();
  const emitBase = (seq) => {
    baseSent.set(seq, process.hrtime.bigint());
    pub.publish(baseTopic, `{"resistance_F_Ohm":${seq},"voltage_V":400}`, { qos: 0 });
  };
  const emitHost = (seq) => driver.emit(seq);

  // Warm-up (discarded), then alternating blocks so that drift hits both sides alike.
  let seq = 1;
  await paced(seq, warmup, emitHost);
  await paced(seq, warmup, emitBase);
  seq += warmup;
  const measuredFrom = seq;
  const per = Math.floor(total / blocks);
  for (let b = 0; b < blocks; b += 1) {
    await paced(seq, per, emitHost);
    await paced(seq, per, emitBase);
    seq += per;
    log(`  latency block ${b + 1}/${blocks} done`);
  }
  const last = seq - 1;
  await waitFor(() => recv.host.has(last) && recv.base.has(last), 3000, 'the last messages').catch(() => undefined);
  await sleep(100);

  const lat = (sent, got) => {
    const out = [];
    let lost = 0;
    for (let s = measuredFrom; s <= last; s += 1) {
      const a = sent.get(s);
      const b = got.get(s);
      if (a === undefined || b === undefined) lost += 1;
      else out.push(Number(b - a) / 1e6);
    }
    return { values: out, lost };
  };
  const h = lat(driver.emittedAt, recv.host);
  const bl = lat(baseSent, recv.base);
  const hs = summary(h.values);
  const bs = summary(bl.values);

  everest.send(`${prefix}/lat`, 'stop');
  await sleep(50);
  await host.stop();
  stopHost();
  await pub.endAsync(true);
  await everest.close();
  logStream.end();
  const hostWarnings = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length : 0;

  return {
    rateHz: RATE_HZ,
    messages: h.values.length + h.lost,
    host: { ...hs, lost: h.lost },
    baseline: { ...bs, lost: bl.lost },
    addedP50Ms: hs.p50 - bs.p50,
    addedP99Ms: hs.p99 - bs.p99,
    hostLogLines: hostWarnings,
  };
}

module.exports = { run };
