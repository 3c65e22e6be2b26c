/**
 * Modbus RTU over a real serial line: a socat pseudo-terminal pair, the simulator as the slave
 * on one end, the driver(s) on the other.
 */
import type { Driver } from '@imd-host/sdk';
import { openPtyPair, type PtyPair } from '../../../test/support/pty';
import plugin from './index';
import type { ModbusOptions } from './options';
import { ModbusDeviceSimulator } from './simulator/server';
import { recorder, waitFor } from './testing/recorder';

let pty: PtyPair;
let sim: ModbusDeviceSimulator;
const drivers: Driver[] = [];

beforeEach(async () => {
  pty = await openPtyPair();
});
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
  await sim?.close();
  await pty.close();
});

const rtu = (path: string, unitId: number, preset: string): ModbusOptions => ({
  connection: { type: 'rtu', path, baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
  unitId,
  preset,
  pollIntervalMs: 150,
  timeoutMs: 300,
  retries: 1,
  commFaultAfterFailures: 3,
  idleCheckIntervalMs: 300,
});

test('two unit ids on one RTU line share one serial connection, requests serialized, values right', async () => {
  sim = new ModbusDeviceSimulator({ 3: 'bender-isocha425hv', 7: 'dold-rn5893' });
  await sim.start({ rtu: { path: pty.b, baudRate: 19200, parity: 'even' } });
  sim.device(3).state.resistanceOhm = 3_250_000;
  sim.device(7).state.resistanceOhm = 456_700;
  const a = recorder('a');
  const b = recorder('b');
  const da = plugin.createDriver(rtu(pty.a, 3, 'bender-isocha425hv'), a.ctx);
  const db = plugin.createDriver(rtu(pty.a, 7, 'dold-rn5893'), b.ctx);
  drivers.push(da, db);
  await da.open();
  await db.open();
  await da.start();
  await db.start();
  await waitFor(() => a.measurements.length >= 5 && b.measurements.length >= 5, 8000, 'measurements from both units');
  expect(a.measurements.at(-1)!.resistanceOhm).toBe(3_250_000);
  expect(a.measurements.at(-1)!.voltageToEarthL2eV).toBe(-200);
  expect(b.measurements.at(-1)!.resistanceOhm).toBe(456_700);
  // One serial port opened for both modules (the first driver's log shows it; the second shares it).
  expect([...a.logs, ...b.logs].filter((l) => l === 'modbus line open')).toHaveLength(1);
  // Interleaved polling of two units on one line never produced a CRC error or a time-out.
  expect([...a.raised, ...b.raised]).toEqual([]);
  expect(await da.selfTest(500, new AbortController().signal)).toBe(true);
});

test('device silent on the line → CommunicationFault; back → cleared', async () => {
  sim = new ModbusDeviceSimulator({ 3: 'bender-isocha425hv' });
  await sim.start({ rtu: { path: pty.b, baudRate: 19200, parity: 'even' } });
  const r = recorder();
  const d = plugin.createDriver(rtu(pty.a, 3, 'bender-isocha425hv'), r.ctx);
  drivers.push(d);
  await d.open();
  await d.start();
  await waitFor(() => r.measurements.length >= 2, 5000, 'measurements');
  sim.device(3).state.silent = true;
  await waitFor(() => r.active().some((e) => e.type === 'CommunicationFault'), 5000, 'CommunicationFault');
  expect(r.raised[0].message).toContain(pty.a);
  const n = r.measurements.length;
  sim.device(3).state.silent = false;
  await waitFor(() => r.active().length === 0, 5000, 'cleared');
  await waitFor(() => r.measurements.length > n, 5000, 'measurements resume');
});

test('a serial port that does not exist: CommunicationFault naming it, no throw, retried', async () => {
  const r = recorder();
  const d = plugin.createDriver(rtu('/dev/ttyDOES-NOT-EXIST', 3, 'bender-isocha425hv'), r.ctx);
  drivers.push(d);
  await d.open(); // must not reject
  await d.start();
  await waitFor(() => r.active().some((e) => e.type === 'CommunicationFault'), 3000, 'CommunicationFault');
  expect(r.raised[0].message).toMatch(/cannot open \/dev\/ttyDOES-NOT-EXIST .*no such port/);
  expect(r.measurements).toEqual([]);
  expect(r.raised).toHaveLength(1);
});
