'use strict';
// Send-time stamps for the publish-latency part, kept inside the measured process (host or
// baseline child): stamp() hands out the next sequence number and records process.hrtime
// (CLOCK_MONOTONIC, the same clock in every process of the machine, so the harness can subtract
// its arrival times). The stamps are written to IMD_BENCH_STAMP_FILE as JSON when the process
// exits (`{ ns: [...] }`, index seq - 1); nothing is written per message.
const fs = require('node:fs');

const file = process.env.IMD_BENCH_STAMP_FILE;
const CAP = 1 << 20;
const times = new Float64Array(CAP); // ns; exact below 2^53 ns (104 days of uptime)
let next = 1;

function stamp() {
  const seq = next;
  if (seq < CAP) times[seq] = Number(process.hrtime.bigint());
  next += 1;
  return seq;
}

if (file) {
  process.on('exit', () => {
    const out = [];
    for (let s = 1; s < Math.min(next, CAP); s += 1) out.push(times[s]);
    fs.writeFileSync(file, JSON.stringify({ ns: out }));
  });
}

module.exports = { stamp };
