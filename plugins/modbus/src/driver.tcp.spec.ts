/**
 * The modbus driver against the device simulator over real Modbus TCP (loopback).
 */
import type { Driver } from '@imd-host/sdk';
import { freePort } from '../../../test/support/broker';
import plugin from './index';
import type { ModbusOptions } from './options';
import { ModbusDeviceSimulator } from './simulator/server';
import { recorder, sleep, waitFor, type Recorder } from './testing/recorder';

let sim: ModbusDeviceSimulator;
let port: number;
const drivers: Driver[] = [];

afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
  await sim?.close();
});

async function setup(
  preset: string,
  unit: number,
  extra: Partial<ModbusOptions> = {},
): Promise<{ r: Recorder; d: Driver }> {
  port = await freePort();
  sim = new ModbusDeviceSimulator({ [unit]: preset });
  await sim.start({ tcp: { port } });
  const r = recorder();
  const options: ModbusOptions = {
    connection: { type: 'tcp', host: '127.0.0.1', port },
    unitId: unit,
    preset,
    pollIntervalMs: 100,
    timeoutMs: 200,
    retries: 0,
    commFaultAfterFailures: 3,
    idleCheckIntervalMs: 200,
    ...extra,
  };
  const d = plugin.createDriver(options, r.ctx);
  drivers.push(d);
  await d.open();
  return { r, d };
}

describe('Bender isoCHA425HV preset over TCP', () => {
  test('values decoded (float32, high word first), all four channels; nothing before start', async () => {
    const { r, d } = await setup('bender-isocha425hv', 3);
    Object.assign(sim.device(3).state, {
      resistanceOhm: 2_345_678,
      voltageV: 812.5,
      voltageL1eV: 400.25,
      voltageL2eV: -412.25,
    });
    await sleep(400);
    expect(r.measurements).toEqual([]);
    await d.start();
    await waitFor(() => r.measurements.length >= 3, 3000, 'measurements');
    const m = r.measurements.at(-1)!;
    expect(m.resistanceOhm).toBeCloseTo(2_345_678, 0); // float32 precision
    expect(m).toMatchObject({ voltageV: 812.5, voltageToEarthL1eV: 400.25, voltageToEarthL2eV: -412.25 });
    expect(Date.now() - m.takenAt!).toBeLessThan(1000);
    await d.stop();
    const n = r.measurements.length;
    await sleep(400);
    expect(r.measurements.length).toBe(n);
  });

  test('invalid values are not published; device error → DeviceFault and no measurement until it clears', async () => {
    const { r, d } = await setup('bender-isocha425hv', 3);
    await d.start();
    await waitFor(() => r.measurements.length >= 2, 3000, 'measurements');
    sim.device(3).state.invalid = true;
    await sleep(300);
    let n = r.measurements.length;
    await sleep(400);
    expect(r.measurements.length).toBe(n);
    sim.device(3).state.invalid = false;
    await waitFor(() => r.measurements.length > n, 3000, 'measurements again');
    sim.device(3).state.deviceFault = 1;
    await waitFor(() => r.active().some((e) => e.type === 'DeviceFault'), 3000, 'DeviceFault');
    expect(r.raised.find((e) => e.type === 'DeviceFault')).toMatchObject({ subType: 'DeviceError' });
    await sleep(100);
    n = r.measurements.length;
    await sleep(400);
    expect(r.measurements.length).toBe(n);
    sim.device(3).state.deviceFault = 0;
    await waitFor(() => !r.active().some((e) => e.type === 'DeviceFault'), 3000, 'DeviceFault cleared');
    await waitFor(() => r.measurements.length > n, 3000, 'measurements after the fault');
    expect(r.raised.filter((e) => e.type === 'DeviceFault')).toHaveLength(1);
  });

  test('self test: pass, fail, and no answer within the preset timeout', async () => {
    const { r, d } = await setup('bender-isocha425hv', 3, { registers: { selfTest: { timeoutMs: 1500 } } });
    const dev = sim.device(3).state;
    dev.selfTestDurationMs = 500;
    await d.start();
    expect(await d.selfTest(500, new AbortController().signal)).toBe(true);
    dev.selfTest = 'fail';
    expect(await d.selfTest(500, new AbortController().signal)).toBe(false);
    await waitFor(() => r.active().some((e) => e.type === 'DeviceFault'), 2000, 'DeviceFault after the failed test');
    dev.deviceFault = 0;
    dev.selfTest = 'hang';
    const t = Date.now();
    expect(await d.selfTest(500, new AbortController().signal)).toBe(false);
    expect(Date.now() - t).toBeGreaterThanOrEqual(1400);
  });

  test('no measurement while the self test runs', async () => {
    const { r, d } = await setup('bender-isocha425hv', 3);
    sim.device(3).state.selfTestDurationMs = 800;
    await d.start();
    await waitFor(() => r.measurements.length >= 2, 3000, 'measurements');
    const before = r.measurements.length;
    const started = Date.now();
    const result = d.selfTest(500, new AbortController().signal);
    await sleep(600);
    const during = r.measurements.filter((m) => m.takenAt! > started + 50).length;
    expect(await result).toBe(true);
    expect(during).toBe(0);
    await waitFor(() => r.measurements.length > before, 3000, 'measurements after the test');
  });

  test('simulator gone → CommunicationFault within commFaultAfterFailures polls; back → cleared, measurements resume', async () => {
    const { r, d } = await setup('bender-isocha425hv', 3);
    await d.start();
    await waitFor(() => r.measurements.length >= 2, 3000, 'measurements');
    await sim.stop();
    const down = Date.now();
    await waitFor(() => r.active().some((e) => e.type === 'CommunicationFault'), 3000, 'CommunicationFault');
    // 3 failed polls at 100 ms (+ time-outs/connect attempts): well under 2 s.
    expect(Date.now() - down).toBeLessThan(2000);
    const fault = r.raised.find((e) => e.type === 'CommunicationFault')!;
    expect(fault.message).toContain(`127.0.0.1:${port}`);
    const n = r.measurements.length;
    await sim.start({ tcp: { port } });
    await waitFor(() => !r.active().some((e) => e.type === 'CommunicationFault'), 20000, 'cleared');
    await waitFor(() => r.measurements.length > n, 3000, 'measurements resume');
  }, 40000);

  test('a silent device (no answer) while stopped is reported by the presence check', async () => {
    const { r } = await setup('bender-isocha425hv', 3);
    sim.device(3).state.silent = true;
    await waitFor(() => r.active().some((e) => e.type === 'CommunicationFault'), 5000, 'CommunicationFault while idle');
    expect(r.raised[0].message).toMatch(/no response \(timed out\)/);
    sim.device(3).state.silent = false;
    await waitFor(() => r.active().length === 0, 5000, 'cleared while idle');
  });
});

describe('Dold RN5893 preset over TCP', () => {
  test('scaled values, ">2 MΩ" marker, start/stop switch measuring on the device, self test', async () => {
    const { r, d } = await setup('dold-rn5893', 1);
    const dev = sim.device(1).state;
    Object.assign(dev, { resistanceOhm: 123_400, voltageV: 650, selfTestDurationMs: 400 });
    await d.start();
    await waitFor(() => r.measurements.length >= 2, 3000, 'measurements');
    expect(r.measurements.at(-1)).toMatchObject({ resistanceOhm: 123_400, voltageV: 650 });
    dev.resistanceOhm = 5_000_000;
    await waitFor(() => r.measurements.at(-1)!.resistanceOhm === 2_000_001, 3000, 'over-range value');
    expect(await d.selfTest(500, new AbortController().signal)).toBe(true);
    dev.selfTest = 'fail';
    expect(await d.selfTest(500, new AbortController().signal)).toBe(false);
    await waitFor(() => r.active().some((e) => e.subType === 'DeviceFaultRegister'), 2000, 'fault register');
    expect(r.raised.find((e) => e.subType === 'DeviceFaultRegister')!.message).toContain(
      'internal failure in test mode (Int.1) (code 3)',
    );
    dev.deviceFault = 0;
    await d.stop();
    // Stopped: the device's control word says "measurement off" (state 5).
    expect(sim.device(1).readInput(1)).toBe(5);
  });
});

test('a custom register map (no preset) with scaling', async () => {
  const { r, d } = await setup('bender-isocha425hv', 3, {
    preset: undefined,
    registers: {
      values: {
        // The same float channel, read as kΩ through a scale: proves the map, not code, decides.
        resistance: { address: 1000, function: 'holding', type: 'float32', wordOrder: 'big', scale: 0.001 },
      },
      status: [
        { address: 1002, function: 'holding', mask: 1792, equals: 512, effect: 'VendorError', subType: 'ALARM' },
      ],
      presence: { address: 9821, function: 'holding' },
    },
  });
  sim.device(3).state.resistanceOhm = 750_000;
  await d.start();
  await waitFor(() => r.measurements.length >= 2, 3000, 'measurements');
  expect(r.measurements.at(-1)!.resistanceOhm).toBeCloseTo(750, 3);
  expect(r.measurements.at(-1)!.voltageV).toBeUndefined();
  sim.device(3).state.deviceFault = 1;
  await waitFor(() => r.active().some((e) => e.type === 'VendorError' && e.subType === 'ALARM'), 3000, 'VendorError');
  expect(await d.selfTest(500, new AbortController().signal)).toBe(false); // the map has no self test
});
