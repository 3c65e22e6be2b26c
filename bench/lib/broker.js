'use strict';
// A private MQTT broker for the benchmark: the mosquitto binary on a free port when installed,
// otherwise aedes in a child process (so the broker never shares the harness' event loop).
// IMD_BENCH_BROKER=aedes forces aedes.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { freePort, waitForPort, spawnTracked, stopChild, tempDir, removeTempDir } = require('./util');

function mosquittoPath() {
  for (const p of ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto', 'mosquitto']) {
    const r = spawnSync(p, ['-h'], { stdio: 'ignore' });
    if (!r.error) return p;
  }
  return undefined;
}

async function startBroker() {
  const port = await freePort();
  const bin = process.env.IMD_BENCH_BROKER === 'aedes' ? undefined : mosquittoPath();
  let child;
  let dir;
  let kind;
  let version = '';
  if (bin) {
    dir = tempDir('imd-bench-mosq-');
    const conf = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(
      conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        'log_dest none',
        'max_queued_messages 100000',
        // Without it the broker's own Nagle holds a message to a subscriber while its previous packet
        // (e.g. the PUBACK of e2m/start) is not yet acknowledged: 40 ms (delayed ACK) in some trials,
        // for the host and the baseline alike. EVerest setups want it too (docs/deployment.md).
        'set_tcp_nodelay true',
        '',
      ].join('\n'),
    );
    child = spawnTracked(bin, ['-c', conf], { stdio: 'ignore' });
    kind = 'mosquitto';
    const v = spawnSync(bin, ['-h'], { encoding: 'utf8' });
    version = /mosquitto version (\S+)/.exec(`${v.stdout}${v.stderr}`)?.[1] ?? '';
  } else {
    child = spawnTracked(process.execPath, [path.join(__dirname, 'aedes-child.js'), String(port)], { stdio: 'ignore' });
    kind = 'aedes';
    version = require('aedes/package.json').version;
  }
  await waitForPort(port);
  return {
    kind,
    version,
    port,
    pid: child.pid,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await stopChild(child, 1000);
      if (dir) removeTempDir(dir);
    },
  };
}

module.exports = { startBroker };
