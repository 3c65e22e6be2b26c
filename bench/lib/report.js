'use strict';
// Turns bench results into the table rows (metric, host, baseline, ratio, goal, status) and
// renders them as text (terminal) and Markdown (docs/performance.md).

const f = (v, d = 2) => (v === undefined || v === null || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
const ratio = (a, b, d = 2) => (a > 0 && b > 0 ? `${(a / b).toFixed(d)}×` : '—');
const status = (ok) => (ok ? 'PASS' : 'MISS');

function buildRows(r) {
  const rows = [];
  const add = (metric, host, baseline, rat, goal, st) =>
    rows.push({ metric, host, baseline, ratio: rat, goal, status: st });
  const P = r.parts;
  const E = r.errors;
  const failed = (part, label) => add(label, '—', '—', '—', '—', `ERROR (${part})`);

  if (P.latency) {
    const l = P.latency;
    add(
      `publish latency p50, ${l.messages} msgs, ${l.modules ?? 1} mock module(s) @ ${l.rateHz} Hz in all (ms)`,
      f(l.host.p50, 3),
      f(l.baseline.p50, 3),
      ratio(l.host.p50, l.baseline.p50),
      'info',
      '—',
    );
    add(
      'publish latency p99 (ms)',
      f(l.host.p99, 3),
      f(l.baseline.p99, 3),
      ratio(l.host.p99, l.baseline.p99),
      `host adds ≤ 1 ms (adds ${f(l.addedP99Ms, 3)})`,
      status(l.addedP99Ms <= 1 && l.host.lost === 0),
    );
    if (l.host.lost || l.baseline.lost)
      add(
        'publish latency: messages lost',
        String(l.host.lost),
        String(l.baseline.lost),
        '—',
        '0',
        status(l.host.lost === 0),
      );
  } else if (E.latency) failed('latency', 'publish latency');

  if (P.start) {
    for (const k of Object.keys(P.start)) {
      const s = P.start[k];
      add(
        `e2m/start → 1st measurement, intervalMs ${s.periodMs}: p50 (ms)`,
        f(s.host.p50),
        f(s.baseline.p50),
        ratio(s.host.p50, s.baseline.p50),
        'info',
        '—',
      );
      add(
        `  … max of ${s.host.n} trials (ms)`,
        f(s.host.max),
        f(s.baseline.max),
        ratio(s.host.max, s.baseline.max),
        `≤ ${s.goalMs} ms (period + 5)`,
        status(s.host.max <= s.goalMs),
      );
    }
  } else if (E.start) failed('start', 'e2m/start → first measurement');

  if (P.scale) {
    for (const k of Object.keys(P.scale)) {
      const s = P.scale[k];
      add(
        `CPU per published msg, ${s.modules} module(s) @ 10 Hz (µs${s.rounds > 1 ? `, median of ${s.rounds}` : ''})`,
        f(s.host.cpuUsPerMsg, 1),
        f(s.baseline.cpuUsPerMsg, 1),
        ratio(s.host.cpuUsPerMsg, s.baseline.cpuUsPerMsg),
        '≤ 1.5× baseline',
        status(s.cpuRatio <= 1.5),
      );
      // The peak over the window, not one sample: V8's heap is a sawtooth between full GCs.
      add(
        `RSS, ${s.modules} module(s), peak in the window${s.rounds > 1 ? 's' : ''} (MB)`,
        f(s.host.rssMaxMB, 1),
        f(s.baseline.rssMaxMB, 1),
        ratio(s.host.rssMaxMB, s.baseline.rssMaxMB),
        s.modules === 100 ? '≤ 80 MB' : 'info',
        s.modules === 100 ? status(s.host.rssMaxMB <= 80) : '—',
      );
    }
  } else if (E.scale) failed('scale', 'scale (CPU, RSS)');

  if (P.cold) {
    for (const k of Object.keys(P.cold)) {
      const c = P.cold[k];
      add(
        `cold start → 1st communication_check, ${c.modules} module(s) (ms, median)`,
        f(c.host.firstMs, 0),
        f(c.baseline.firstMs, 0),
        ratio(c.host.firstMs, c.baseline.firstMs),
        '≤ 1000 ms',
        status(c.host.firstMs <= 1000),
      );
      if (c.modules > 1) {
        add(
          `  … every module's 1st communication_check (ms, median)`,
          f(c.host.allMs, 0),
          f(c.baseline.allMs, 0),
          ratio(c.host.allMs, c.baseline.allMs),
          '≤ 1000 ms',
          status(c.host.allMs <= 1000),
        );
      }
    }
  } else if (E.cold) failed('cold', 'cold start');

  if (P.modbus) {
    const m = P.modbus;
    if (!m.available) add('Modbus', '—', '—', '—', '—', `SKIP (${m.reason})`);
    else {
      if (m.tcp) {
        add(
          `Modbus TCP requests/s (${m.tcp.registers} registers per request)`,
          f(m.tcp.host.requestsPerS, 0),
          f(m.tcp.baseline.requestsPerS, 0),
          ratio(m.tcp.host.requestsPerS, m.tcp.baseline.requestsPerS),
          'info',
          '—',
        );
      }
      if (m.rtu) {
        add(
          `Modbus RTU ${m.rtu.baud} 8E1, time per poll (ms)`,
          f(m.rtu.msPerPoll, 2),
          `${f(m.rtu.floorMs, 2)} (floor)`,
          ratio(m.rtu.msPerPoll, m.rtu.floorMs),
          '≤ 1.2× floor',
          status(m.rtu.msPerPoll / m.rtu.floorMs <= 1.2),
        );
      }
    }
  } else if (E.modbus) failed('modbus', 'Modbus');

  if (P.soak) {
    const s = P.soak;
    add(
      `soak ${s.modules} modules ${s.durationS} s: RSS growth after ${s.warmupS} s warm-up (MB)`,
      f(s.host.rssGrowthMB, 2),
      f(s.baseline.rssGrowthMB, 2),
      '—',
      '≤ 5 MB',
      status(s.host.rssGrowthMB <= 5),
    );
    add(
      '  … RSS peak after the warm-up (MB)',
      f(s.host.rssMaxAfterWarmupMB, 1),
      f(s.baseline.rssMaxAfterWarmupMB, 1),
      ratio(s.host.rssMaxAfterWarmupMB, s.baseline.rssMaxAfterWarmupMB),
      '≤ 80 MB (as scale)',
      status(s.host.rssMaxAfterWarmupMB <= 80),
    );
    add(
      '  … max event-loop delay (ms)',
      f(s.host.eldMaxMs, 1),
      f(s.baseline.eldMaxMs, 1),
      ratio(s.host.eldMaxMs, s.baseline.eldMaxMs),
      '≤ 50 ms',
      status(s.host.eldMaxMs <= 50),
    );
    add(
      '  … measurements delivered (msg/s)',
      f(s.host.msgPerS, 0),
      f(s.baseline.msgPerS, 0),
      ratio(s.host.msgPerS, s.baseline.msgPerS),
      `${s.host.expectedMsgPerS}`,
      status(s.host.msgPerS >= 0.99 * s.host.expectedMsgPerS),
    );
  } else if (E.soak) failed('soak', 'soak');
  return rows;
}

const COLS = [
  ['metric', 'metric'],
  ['host', 'host'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
  ['goal', 'goal'],
  ['status', 'PASS/MISS'],
];

function renderTable(rows) {
  const w = COLS.map(([k, h]) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [
    line(COLS.map((c) => c[1])),
    line(w.map((n) => '-'.repeat(n))),
    ...rows.map((r) => line(COLS.map(([k]) => r[k]))),
  ].join('\n');
}

function renderMarkdown(results, rows) {
  const m = results.machine;
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const out = [];
  out.push(
    `Run of ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.quick ? 'quick' : 'full'} (${Math.round(results.durationS)} s): ` +
      `\`nproc\` ${m.nproc}, ${m.cpuModel}, ${m.memTotalMB} MB RAM, node ${m.node}, ${m.platform}; broker ${results.broker.kind} ${results.broker.version}; ` +
      `load average ${m.loadavg?.[0] ?? '?'} at the start, ${m.loadavgAtEnd?.[0] ?? '?'} at the end (other work on the machine makes figures noisier; ratios less so).`,
  );
  out.push('');
  out.push(`| ${COLS.map((c) => c[1]).join(' | ')} |`);
  out.push(`| ${COLS.map((c, i) => (i === 0 || i === 4 ? '---' : '---:')).join(' | ')} |`);
  for (const r of rows) out.push(`| ${COLS.map(([k]) => esc(r[k]).replace(/^ +/, '')).join(' | ')} |`);
  const errs = Object.keys(results.errors);
  if (errs.length) {
    out.push('');
    for (const e of errs) out.push(`- ${e} failed: ${esc(results.errors[e].split('\n')[0])}`);
  }
  return out.join('\n');
}

module.exports = { buildRows, renderTable, renderMarkdown };
