#!/usr/bin/env node
'use strict';
/*
 * `npm start`: runs imd-host with config/demo.yaml (two mock IMDs, embedded broker on a free
 * port) and plays EVerest's side of the isolation_monitor API: heartbeats, start, a periodic
 * self test. Prints every message EVerest would receive. Ctrl-C stops both.
 */
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const mqtt = require('mqtt');

const root = path.resolve(__dirname, '..');
const PREFIX = 'everest_api/1/isolation_monitor';
const MODULES = ['imd_left', 'imd_right'];

function freePort(preferred) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => {
      const any = net.createServer();
      any.listen(0, '127.0.0.1', () => {
        const { port } = any.address();
        any.close(() => resolve(port));
      });
    });
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const ohm = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} MΩ` : `${(r / 1e3).toFixed(0)} kΩ`);

function describe(kind, payload) {
  let v;
  try {
    v = JSON.parse(payload);
  } catch {
    return `UNPARSABLE ${payload}`;
  }
  switch (kind) {
    case 'isolation_measurement': {
      const parts = [`R=${ohm(v.resistance_F_Ohm)}`];
      if (v.voltage_V !== undefined) parts.push(`U=${v.voltage_V} V`);
      if (v.voltage_to_earth_l1e_V !== undefined) parts.push(`L1E=${v.voltage_to_earth_l1e_V} V`);
      if (v.voltage_to_earth_l2e_V !== undefined) parts.push(`L2E=${v.voltage_to_earth_l2e_V} V`);
      return parts.join('  ');
    }
    case 'raise_error':
      return `RAISE ${v.type}${v.sub_type ? `/${v.sub_type}` : ''}${v.message ? `: ${v.message}` : ''}`;
    case 'clear_error':
      return `CLEAR ${v.type}${v.sub_type ? `/${v.sub_type}` : ''}`;
    case 'self_test_result':
      return `SELF TEST ${v ? 'PASSED' : 'FAILED'}`;
    case 'communication_check':
      return `communication check ${v}`;
    default:
      return payload;
  }
}

async function main() {
  const port = await freePort(18830);
  const env = { ...process.env, IMD_DEMO_PORT: String(port) };
  const host = spawn(
    process.execPath,
    [path.join(root, 'packages/cli/dist/bin.js'), 'run', '--config', path.join(root, 'config/demo.yaml')],
    {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  console.log(`imd-host demo: 2 mock IMDs, embedded broker on 127.0.0.1:${port}. Ctrl-C to stop.`);
  console.log('Below: what EVerest receives (m2e), and what it sends (e2m, marked »).\n');

  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'demo-everest', reconnectPeriod: 300 });
  let heartbeat = 0n;
  const timers = [];
  let lastCheckPrinted = {};
  const send = (id, what, payload) => {
    client.publish(`${PREFIX}/${id}/e2m/${what}`, payload);
    if (what !== 'heartbeat') console.log(`${stamp()}  ${id.padEnd(9)} » ${what} ${payload}`);
  };
  client.on('connect', () => {
    client.subscribe(MODULES.map((m) => `${PREFIX}/${m}/m2e/#`));
    if (timers.length > 0) return;
    timers.push(
      setInterval(() => MODULES.forEach((m) => send(m, 'heartbeat', String(heartbeat))) || (heartbeat += 1n), 1000),
    );
    timers.push(setTimeout(() => MODULES.forEach((m) => send(m, 'start', '{}')), 1500));
    timers.push(setInterval(() => MODULES.forEach((m) => send(m, 'start_self_test', '500')), 20000));
  });
  client.on('message', (topic, buf) => {
    const [, , , id, , kind] = topic.split('/');
    if (kind === 'communication_check') {
      // One line per module every 10 s is enough to show it is alive.
      if (lastCheckPrinted[id] && Date.now() - lastCheckPrinted[id] < 10000) return;
      lastCheckPrinted[id] = Date.now();
    }
    console.log(`${stamp()}  ${id.padEnd(9)}   ${kind.padEnd(22)} ${describe(kind, buf.toString())}`);
  });

  const stop = () => {
    timers.forEach((t) => clearInterval(t));
    client.end(true);
    host.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  host.on('exit', (code) => {
    timers.forEach((t) => clearInterval(t));
    client.end(true);
    process.exit(code ?? 0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
