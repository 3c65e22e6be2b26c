'use strict';
// `npm run bench`: imd-host's performance benchmark (issue 6). Not part of `npm test`.
//
//   node bench/run.js [--quick] [--soak-s N] [--only latency,start,scale,cold,modbus,soak]
//                     [--profile] [--no-docs] [--host-node-args "--opt ..."]
//
// Everything runs against a private broker (mosquitto on a free port when installed, else
// aedes in a child process). Prints a table (metric, host, baseline, ratio, goal, PASS/MISS),
// writes bench/results.json and, for a full run (not --quick, not --only), replaces the results
// section of docs/performance.md. --profile runs every host/baseline child with --cpu-prof into
// bench/profiles/ (summarise one with `node bench/profile-summary.js FILE`). Every child
// process, broker and temp dir is removed at the end, on error and on Ctrl-C. --host-node-args
// passes node options to the host child processes only (to try a fix, e.g. -r a preload).
const fs = require('node:fs');
const path = require('node:path');
const util = require('./lib/util');
const { startBroker } = require('./lib/broker');
const { buildRows, renderTable, renderMarkdown } = require('./lib/report');

const PARTS = ['latency', 'start', 'scale', 'cold', 'modbus', 'soak'];

function parseArgs(argv) {
  const a = { quick: false, soakS: undefined, only: undefined, profile: false, docs: true };
  for (let i = 0; i < argv.length; i += 1) {
    const x = argv[i];
    if (x === '--quick') a.quick = true;
    else if (x === '--soak-s') a.soakS = Number(argv[++i]);
    else if (x.startsWith('--soak-s=')) a.soakS = Number(x.slice(9));
    else if (x === '--only') a.only = argv[++i].split(',');
    else if (x.startsWith('--only=')) a.only = x.slice(7).split(',');
    else if (x === '--profile') a.profile = true;
    else if (x === '--no-docs') a.docs = false;
    else if (x === '--host-node-args') process.env.IMD_BENCH_HOST_NODE_ARGS = argv[++i];
    else if (x === '--help' || x === '-h') {
      console.log(
        fs
          .readFileSync(__filename, 'utf8')
          .split('\n')
          .slice(1, 15)
          .join('\n')
          .replace(/^\/\/ ?/gm, ''),
      );
      process.exit(0);
    } else {
      console.error(`unknown argument ${x} (see --help)`);
      process.exit(2);
    }
  }
  if (a.soakS !== undefined && !(a.soakS > 0)) {
    console.error('--soak-s needs a positive number of seconds');
    process.exit(2);
  }
  if (a.soakS === undefined) a.soakS = a.quick ? 20 : 300;
  for (const p of a.only ?? []) {
    if (!PARTS.includes(p)) {
      console.error(`unknown part ${p}; parts: ${PARTS.join(', ')}`);
      process.exit(2);
    }
  }
  return a;
}

function checkBuilt() {
  const need = [util.CLI, path.join(util.ROOT, 'packages', 'core', 'dist', 'index.js')];
  for (const f of need) {
    if (!fs.existsSync(f)) {
      console.error(`${path.relative(util.ROOT, f)} is missing: run \`npm run build\` first (npm run bench does).`);
      process.exit(2);
    }
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  checkBuilt();
  util.installSignalHandlers();
  const started = Date.now();
  const log = (m) => console.log(m);
  const machine = util.machine();
  const broker = await startBroker();
  util.onCleanup(() => broker.stop());
  const profileDir = args.profile ? path.join(__dirname, 'profiles') : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  log(
    `imd-host bench: ${args.quick ? 'quick' : 'full'} run; broker ${broker.kind} ${broker.version} on ${broker.url}; ` +
      `${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}`,
  );
  const results = {
    startedAt: new Date(started).toISOString(),
    quick: args.quick,
    machine,
    broker: { kind: broker.kind, version: broker.version },
    parts: {},
    errors: {},
  };
  for (const part of PARTS) {
    if (args.only && !args.only.includes(part)) continue;
    const t = Date.now();
    log(`[${part}]`);
    try {
      const mod = require(`./parts/${part}`);
      results.parts[part] = await mod.run({ broker, quick: args.quick, log, soakS: args.soakS, profileDir });
    } catch (err) {
      results.errors[part] = err && err.stack ? err.stack : String(err);
      log(`  ${part} FAILED: ${err && err.message ? err.message : String(err)}`);
    }
    log(`  (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  }
  results.durationS = (Date.now() - started) / 1000;
  results.machine.loadavgAtEnd = require('node:os')
    .loadavg()
    .map((x) => Math.round(x * 100) / 100);
  const rows = buildRows(results);
  results.table = rows;
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('');
  console.log(renderTable(rows));
  console.log(`\nresults: bench/results.json (${results.durationS.toFixed(0)} s)`);
  if (args.docs && !args.quick && !args.only && !process.env.IMD_BENCH_HOST_NODE_ARGS) {
    const doc = path.join(util.ROOT, 'docs', 'performance.md');
    if (fs.existsSync(doc)) {
      const text = fs.readFileSync(doc, 'utf8');
      const start = '<!-- bench:results:start -->';
      const end = '<!-- bench:results:end -->';
      const i = text.indexOf(start);
      const j = text.indexOf(end);
      if (i >= 0 && j > i) {
        fs.writeFileSync(
          doc,
          text.slice(0, i + start.length) + '\n' + renderMarkdown(results, rows) + '\n' + text.slice(j),
        );
        console.log('docs/performance.md: results section updated');
      }
    }
  }
  await util.cleanup();
  const failed = Object.keys(results.errors).length > 0;
  process.exit(failed ? 1 : 0);
}

main().catch(async (err) => {
  console.error(err);
  await util.cleanup();
  process.exit(1);
});
