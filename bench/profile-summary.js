'use strict';
// Summarise a V8 .cpuprofile (from --cpu-prof, e.g. `node bench/run.js --profile`): the top
// functions by self time and the share of time per package.
//   node bench/profile-summary.js FILE.cpuprofile [TOP]
const fs = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.js FILE.cpuprofile [TOP]');
  process.exit(2);
}
const top = Number(topArg) || 25;
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i += 1) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (cf) => {
  const url = cf.url || '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const w = /\/(packages|plugins)\/([^/]+)\//.exec(url);
  if (w) return `${w[1]}/${w[2]}`;
  if (url.startsWith('node:')) return 'node';
  return url ? url.split('/').slice(-2).join('/') : '(native/vm)';
};
const fnAgg = new Map();
const pkgAgg = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  fnAgg.set(key, (fnAgg.get(key) ?? 0) + us);
  const p = where(cf);
  pkgAgg.set(p, (pkgAgg.get(p) ?? 0) + us);
}
// Long busy stretches: consecutive samples not in (idle)/(program)/(garbage collector) count as
// JS work; (garbage collector) is counted apart. A stall seen by monitorEventLoopDelay that
// shows here was the process' own work; one that does not was the process waiting for a CPU.
const kind = (id) => {
  const n = byId.get(id).callFrame.functionName;
  return n === '(idle)' || n === '(program)' ? 'idle' : n === '(garbage collector)' ? 'gc' : 'js';
};
const stretches = [];
let cur;
let t = prof.startTime;
for (let i = 0; i < prof.samples.length; i += 1) {
  t += dt[i] ?? 0;
  const k = kind(prof.samples[i]);
  if (k === 'idle') {
    if (cur) stretches.push(cur);
    cur = undefined;
    continue;
  }
  if (!cur) cur = { from: t, to: t, gcUs: 0, maxGapUs: 0, fns: new Map() };
  cur.maxGapUs = Math.max(cur.maxGapUs, dt[i] ?? 0);
  cur.to = t;
  if (k === 'gc') cur.gcUs += dt[i] ?? 0;
  const cf = byId.get(prof.samples[i]).callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${where(cf)}`;
  cur.fns.set(key, (cur.fns.get(key) ?? 0) + (dt[i] ?? 0));
}
if (cur) stretches.push(cur);
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log('\nby package / file:');
for (const [k, v] of [...pkgAgg].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)}  ${k}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, v] of [...fnAgg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`);
console.log('\nlongest busy stretches (no idle sample in between):');
for (const st of stretches.sort((a, b) => b.to - b.from - (a.to - a.from)).slice(0, 5)) {
  const fns = [...st.fns]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} ms`);
  console.log(
    `  ${((st.to - st.from) / 1000).toFixed(1)} ms at +${((st.from - prof.startTime) / 1e6).toFixed(1)} s (gc ${(st.gcUs / 1000).toFixed(1)} ms, largest sample gap ${(st.maxGapUs / 1000).toFixed(1)} ms): ${fns.join(', ')}`,
  );
}
