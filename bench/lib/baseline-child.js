'use strict';
// The baseline for the child-process benchmarks: the least any MQTT bridge for N IMDs must do,
// written with bare mqtt.js and nothing else. N connections (each with a last will, like the
// host's); each subscribes to its module's e2m topics, publishes communication_check `true` on
// connect and every second, and while started (e2m/start .. e2m/stop) publishes the same
// measurement payload the mock plugin produces, at once and then every IMD_BASE_INTERVAL_MS.
// Env: IMD_BASE_URL, IMD_BASE_PREFIX, IMD_BASE_MODULES (count), IMD_BASE_INTERVAL_MS,
// IMD_BASE_PAYLOAD, IMD_BENCH_STAMP_FILE (bench/lib/stamp.js).
const mqtt = require('mqtt');

const url = process.env.IMD_BASE_URL;
const prefix = process.env.IMD_BASE_PREFIX;
const n = Number(process.env.IMD_BASE_MODULES || 1);
const intervalMs = Number(process.env.IMD_BASE_INTERVAL_MS || 100);
const payload = process.env.IMD_BASE_PAYLOAD || '{"resistance_F_Ohm":1000000,"voltage_V":400}';
// Publish-latency part: a sequence number as the resistance, stamped just before publish().
const stamp = process.env.IMD_BENCH_STAMP_FILE ? require('./stamp').stamp : undefined;

const clients = [];
for (let i = 0; i < n; i += 1) {
  const id = `m${i}`;
  const base = `${prefix}/${id}`;
  const c = mqtt.connect(url, {
    clientId: `imd-base-${process.pid}-${id}`,
    clean: true,
    keepalive: 10,
    reconnectPeriod: 1000,
    queueQoSZero: false,
    protocolVersion: 4,
    will: {
      topic: `${base}/m2e/raise_error`,
      payload: Buffer.from('{"type":"CommunicationFault","sub_type":"imd-host/HostOffline"}'),
      qos: 1,
      retain: false,
    },
  });
  let timer;
  const measure = () =>
    c.publish(
      `${base}/m2e/isolation_measurement`,
      stamp ? `{"resistance_F_Ohm":${stamp()},"voltage_V":400}` : payload,
      {
        qos: 0,
      },
    );
  c.on('connect', () => {
    c.subscribe([`${base}/e2m/start`, `${base}/e2m/stop`, `${base}/e2m/start_self_test`, `${base}/e2m/heartbeat`], {
      qos: 1,
    });
    c.publish(`${base}/m2e/communication_check`, 'true', { qos: 0 });
  });
  c.on('message', (topic) => {
    if (topic.endsWith('/e2m/start') && !timer) {
      measure();
      timer = setInterval(measure, intervalMs);
    } else if (topic.endsWith('/e2m/stop') && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  });
  setInterval(() => {
    if (c.connected) c.publish(`${base}/m2e/communication_check`, 'true', { qos: 0 });
  }, 1000);
  clients.push(c);
}

const stop = () => {
  let left = clients.length;
  const done = () => {
    left -= 1;
    if (left <= 0) process.exit(0);
  };
  for (const c of clients) c.end(false, done);
  setTimeout(() => process.exit(0), 1500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
