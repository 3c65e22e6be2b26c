'use strict';
// Preloaded into a measured process (`node -r bench/probe.js ...`): every IMD_BENCH_PROBE_MS
// (default 500) it appends one JSON line to the file named by IMD_BENCH_PROBE_FILE with the
// time, CPU used (process.cpuUsage, µs), RSS, heap, and the event-loop delay seen since the
// previous sample (monitorEventLoopDelay; max and p99 in ms). IMD_BENCH_PROBE_ELD_RES_MS sets
// the delay monitor's resolution (default 10; 0 switches it off: its timer costs CPU, about 2 %
// of a core at 1 ms). Never keeps the process alive.
const fs = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const file = process.env.IMD_BENCH_PROBE_FILE;
if (file) {
  const every = Number(process.env.IMD_BENCH_PROBE_MS) || 500;
  const res =
    process.env.IMD_BENCH_PROBE_ELD_RES_MS === undefined ? 10 : Number(process.env.IMD_BENCH_PROBE_ELD_RES_MS);
  const h = res > 0 ? monitorEventLoopDelay({ resolution: res }) : undefined;
  h?.enable();
  const fd = fs.openSync(file, 'a');
  const sample = (final) => {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const line = {
      t: Date.now(),
      cpuUs: cpu.user + cpu.system,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      eldMaxMs: h && h.count > 0 ? h.max / 1e6 : 0,
      eldP99Ms: h && h.count > 0 ? h.percentile(99) / 1e6 : 0,
      final: final || undefined,
    };
    h?.reset();
    try {
      fs.writeSync(fd, JSON.stringify(line) + '\n');
    } catch {
      // the harness removed the file: nothing to report to
    }
  };
  sample(false);
  setInterval(() => sample(false), every).unref();
  process.on('exit', () => sample(true));
}
