'use strict';
// 5. Modbus, against the modbus plugin's own device simulator (in a child process):
//  - TCP: requests/s, back to back, through the plugin's client (its serialized ModbusLine, the
//    path every driver request takes) vs a bare modbus-serial client; and the driver's own
//    poll rate (ModbusDriver with a 1 ms poll interval).
//  - RTU at 19200 8E1 over socat pty pairs joined by a wire emulator (bench/lib/rtu-wire.js):
//    the driver's time per poll (back to back) vs the physical floor:
//    (request bytes + response bytes + 2 × 3.5 characters) × 11 bits / baud.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const {
  spawnTracked,
  stopChild,
  freePort,
  waitForPort,
  tempDir,
  removeTempDir,
  sleep,
  waitFor,
  now,
} = require('../lib/util');

const PRESET = 'bender-isocha425hv';
const UNIT = 3;
const BAUD = 19200;
const BITS_PER_BYTE = 11;

function available() {
  try {
    return { ok: true, path: require.resolve('@imd-host/plugin-modbus') };
  } catch {
    return { ok: false };
  }
}

async function waitReady(child, what) {
  await waitFor(() => child.output().includes('ready'), 10000, what, child);
}

/** Call `op` back to back for `ms`; returns calls per second and failures. */
async function backToBack(ms, op) {
  const t0 = now();
  let n = 0;
  let failed = 0;
  while (now() - t0 < ms) {
    try {
      await op();
      n += 1;
    } catch {
      failed += 1;
    }
  }
  return { perS: (n * 1000) / (now() - t0), n, failed };
}

/** A DriverContext that counts measurements and records errors. */
function fakeContext(silentLogger) {
  const ctx = {
    moduleId: 'bench',
    log: silentLogger,
    measurements: 0,
    errors: [],
    measurement: () => {
      ctx.measurements += 1;
    },
    raiseError: (e) => ctx.errors.push(e),
    clearError: () => undefined,
  };
  return ctx;
}

/** Run the plugin's driver with a 1 ms poll interval for `ms`; returns polls per second. */
async function driverRate(modbus, sdk, connection, ms) {
  const ctx = fakeContext(sdk.silentLogger);
  const driver = modbus.plugin.createDriver(
    {
      connection,
      unitId: UNIT,
      preset: PRESET,
      pollIntervalMs: 1,
      timeoutMs: 500,
      retries: 1,
      commFaultAfterFailures: 3,
      idleCheckIntervalMs: 5000,
    },
    ctx,
  );
  await driver.open();
  await driver.start();
  await waitFor(() => ctx.measurements > 0, 5000, "the modbus driver's first measurement");
  const m0 = ctx.measurements;
  const t0 = now();
  await sleep(ms);
  const polls = ctx.measurements - m0;
  const elapsed = now() - t0;
  await driver.stop();
  await driver.close();
  return {
    pollsPerS: (polls * 1000) / elapsed,
    msPerPoll: elapsed / polls,
    polls,
    errors: ctx.errors.map((e) => e.subType ?? e.type),
  };
}

async function tcp({ modbus, sdk, windowMs, log }) {
  const ModbusRTU = require('modbus-serial');
  const { acquireLine, releaseLine } = require('@imd-host/plugin-modbus/dist/line');
  const port = await freePort();
  const sim = spawnTracked(process.execPath, [
    path.join(__dirname, '..', 'lib', 'modbus-sim-child.js'),
    'tcp',
    String(port),
    String(UNIT),
    PRESET,
  ]);
  try {
    await waitReady(sim, 'the modbus TCP simulator');
    await waitForPort(port);
    const registers = modbus.PRESETS ? 23 : 23;
    // Bare modbus-serial client.
    const c = new ModbusRTU();
    await c.connectTCP('127.0.0.1', { port });
    c.setID(UNIT);
    c.setTimeout(500);
    await c.readHoldingRegisters(1000, registers);
    const baseline = await backToBack(windowMs, () => c.readHoldingRegisters(1000, registers));
    await new Promise((r) => c.close(r));
    // The plugin's line (what ModbusDriver sends every request through).
    const line = acquireLine({ type: 'tcp', host: '127.0.0.1', port }, sdk.silentLogger);
    const req = () => line.request(UNIT, 500, 0, 'bench read', (cl) => cl.readHoldingRegisters(1000, registers));
    await req();
    const host = await backToBack(windowMs, req);
    await releaseLine(line);
    const driver = await driverRate(modbus, sdk, { type: 'tcp', host: '127.0.0.1', port }, windowMs);
    log(
      `  modbus TCP: plugin line ${host.perS.toFixed(0)} req/s, bare modbus-serial ${baseline.perS.toFixed(0)} req/s, driver ${driver.pollsPerS.toFixed(0)} polls/s`,
    );
    return {
      registers,
      host: { requestsPerS: host.perS, failed: host.failed },
      baseline: { requestsPerS: baseline.perS, failed: baseline.failed },
      driver,
    };
  } finally {
    await stopChild(sim);
  }
}

function ptyPair(dir, name) {
  const a = path.join(dir, `${name}-a`);
  const b = path.join(dir, `${name}-b`);
  const child = spawnTracked('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  child.output = () => '';
  return { a, b, child };
}

async function rtuRun({ modbus, sdk, windowMs, simIntervalMs }) {
  const dir = tempDir('imd-bench-pty-');
  const p1 = ptyPair(dir, 'drv'); // driver <-> wire
  const p2 = ptyPair(dir, 'dev'); // wire <-> simulator
  let wire;
  let sim;
  try {
    await waitFor(() => [p1.a, p1.b, p2.a, p2.b].every((p) => fs.existsSync(p)), 5000, 'socat to create the pty pairs');
    wire = spawnTracked(process.execPath, [
      path.join(__dirname, '..', 'lib', 'rtu-wire.js'),
      p1.b,
      p2.a,
      String(BAUD),
      String(BITS_PER_BYTE),
    ]);
    await waitReady(wire, 'the RTU wire emulator');
    const env = { ...process.env };
    if (simIntervalMs !== undefined) env.IMD_BENCH_SIM_RTU_INTERVAL_MS = String(simIntervalMs);
    else delete env.IMD_BENCH_SIM_RTU_INTERVAL_MS;
    sim = spawnTracked(
      process.execPath,
      [path.join(__dirname, '..', 'lib', 'modbus-sim-child.js'), 'rtu', p2.b, String(UNIT), PRESET, String(BAUD)],
      { env },
    );
    await waitReady(sim, 'the modbus RTU simulator');
    const connection = { type: 'rtu', path: p1.a, baudRate: BAUD, parity: 'even', dataBits: 8, stopBits: 1 };
    const driver = await driverRate(modbus, sdk, connection, windowMs);
    return driver;
  } finally {
    await stopChild(sim);
    if (wire) {
      wire.kill('SIGTERM');
      await Promise.race([wire.exited, sleep(1000)]);
    }
    await stopChild(wire);
    await stopChild(p1.child);
    await stopChild(p2.child);
    removeTempDir(dir);
  }
}

async function rtu({ modbus, sdk, windowMs, log }) {
  const r = spawn('socat', ['-V'], { stdio: 'ignore' });
  const hasSocat = await new Promise((resolve) => {
    r.on('error', () => resolve(false));
    r.on('exit', (code) => resolve(code === 0));
  });
  if (!hasSocat) throw new Error('the RTU benchmark needs socat (apt-get install -y socat)');
  const registers = 23;
  const requestBytes = 8; // unit, function 03, start (2), count (2), CRC (2)
  const responseBytes = 5 + 2 * registers; // unit, function, byte count, data, CRC (2)
  const charMs = (BITS_PER_BYTE * 1000) / BAUD;
  const floorMs = (requestBytes + responseBytes + 2 * 3.5) * charMs;
  const measured = await rtuRun({ modbus, sdk, windowMs });
  log(`  modbus RTU ${BAUD} 8E1: ${measured.msPerPoll.toFixed(2)} ms per poll, floor ${floorMs.toFixed(2)} ms`);
  // The same with the simulator's inter-frame silence at 3.5 characters (the fix proposed for it).
  const gapMs = Math.max(2, Math.ceil(3.5 * charMs));
  const fixed = await rtuRun({ modbus, sdk, windowMs, simIntervalMs: gapMs });
  log(
    `  modbus RTU with the simulator waiting ${gapMs} ms instead of modbus-serial's 30 ms: ${fixed.msPerPoll.toFixed(2)} ms per poll`,
  );
  return {
    baud: BAUD,
    format: '8E1',
    bitsPerByte: BITS_PER_BYTE,
    registers,
    requestBytes,
    responseBytes,
    floorMs,
    msPerPoll: measured.msPerPoll,
    polls: measured.polls,
    errors: measured.errors,
    withSimulatorGapMs: { gapMs, msPerPoll: fixed.msPerPoll, polls: fixed.polls },
  };
}

async function run({ quick, log }) {
  const a = available();
  if (!a.ok) {
    log('  modbus plugin not available');
    return { available: false, reason: 'modbus plugin not available' };
  }
  const modbus = require('@imd-host/plugin-modbus');
  const sdk = require('@imd-host/sdk');
  if (typeof modbus.ModbusDeviceSimulator !== 'function' || !modbus.plugin) {
    throw new Error(
      '@imd-host/plugin-modbus is installed but exports no ModbusDeviceSimulator/plugin (not built yet?)',
    );
  }
  const windowMs = quick ? 2000 : 5000;
  const out = { available: true };
  out.tcp = await tcp({ modbus, sdk, windowMs, log });
  out.rtu = await rtu({ modbus, sdk, windowMs: quick ? 3000 : 10000, log });
  return out;
}

module.exports = { run };
