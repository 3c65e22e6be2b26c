import {
  AbortedError,
  silentLogger,
  type DeviceError,
  type DriverContext,
  type ErrorRef,
  type Measurement,
} from '@imd-host/sdk';
import Ajv from 'ajv';
import plugin from './index';
import type { MockOptions } from './options';

interface Recorder {
  ctx: DriverContext;
  measurements: Measurement[];
  raised: DeviceError[];
  cleared: ErrorRef[];
}

function recorder(): Recorder {
  const r: Recorder = {
    measurements: [],
    raised: [],
    cleared: [],
    ctx: {
      moduleId: 'test',
      log: silentLogger,
      measurement: (m) => r.measurements.push(m),
      raiseError: (e) => r.raised.push(e),
      clearError: (e) => r.cleared.push(e),
    },
  };
  return r;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile(plugin.optionsSchema);

/** Options as the host hands them over: validated, defaults applied. */
function options(o: Record<string, unknown>): MockOptions {
  const copy = structuredClone(o);
  if (!validate(copy)) throw new Error(JSON.stringify(validate.errors));
  return copy as unknown as MockOptions;
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

describe('options schema', () => {
  test('every example validates; defaults are applied', () => {
    for (const ex of plugin.optionsExamples ?? []) expect(validate(structuredClone(ex))).toBe(true);
    expect(options({})).toEqual({
      intervalMs: 1000,
      resistanceOhm: 1_000_000,
      selfTestDurationMs: 2000,
      selfTestResult: true,
    });
  });
  test.each([
    [{ intervalMs: 5 }, 'intervalMs below 10'],
    [{ colour: 'red' }, 'unknown property'],
    [{ resistanceOhm: -1 }, 'negative resistance'],
    [{ scenario: { steps: [{ atMs: 0, raiseError: { type: 'Bogus' } }] } }, 'bad error type'],
    [{ scenario: { steps: [{ atMs: 0, set: { resistanceOhm: 1 }, deviceSilent: true }] } }, 'two actions in one step'],
    [{ scenario: { steps: [{ atMs: -1, deviceSilent: true }] } }, 'negative atMs'],
  ])('rejects %j (%s)', (o: object, _why: string) => {
    expect(validate(structuredClone(o))).toBe(false);
  });
  test('steps out of order are refused when the driver is created', () => {
    const r = recorder();
    expect(() =>
      plugin.createDriver(
        options({
          scenario: {
            steps: [
              { atMs: 500, deviceSilent: true },
              { atMs: 100, deviceSilent: false },
            ],
          },
        }),
        r.ctx,
      ),
    ).toThrow('scenario.steps[1].atMs (100) is before steps[0].atMs (500): steps must be in ascending atMs');
  });
});

describe('measuring', () => {
  test('nothing before start; at once and then every interval with the configured values; nothing after stop', async () => {
    const r = recorder();
    const d = plugin.createDriver(
      options({ intervalMs: 200, resistanceOhm: 5e6, voltageV: 400, voltageToEarthL2eV: -200 }),
      r.ctx,
    );
    expect(d.pollIntervalMs).toBe(200);
    await d.open();
    await jest.advanceTimersByTimeAsync(1000);
    expect(r.measurements).toEqual([]);
    await d.start();
    expect(r.measurements).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(r.measurements).toHaveLength(6);
    expect(r.measurements[5]).toEqual({
      resistanceOhm: 5e6,
      voltageV: 400,
      voltageToEarthL2eV: -200,
      takenAt: Date.now(),
    });
    expect('voltageToEarthL1eV' in r.measurements[0]).toBe(false);
    await d.stop();
    await jest.advanceTimersByTimeAsync(1000);
    expect(r.measurements).toHaveLength(6);
    await d.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('self test', () => {
  test('passes or fails after its duration', async () => {
    const r = recorder();
    const d = plugin.createDriver(options({ selfTestDurationMs: 1000, selfTestResult: false }), r.ctx);
    await d.open();
    let result: boolean | undefined;
    void d.selfTest(500, new AbortController().signal).then((v) => (result = v));
    await jest.advanceTimersByTimeAsync(999);
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    await d.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a hanging self test ends only by abort, with AbortedError; close() aborts one in flight', async () => {
    const r = recorder();
    const d = plugin.createDriver(
      options({ selfTestDurationMs: 10, scenario: { steps: [{ atMs: 0, selfTestHangs: true }] } }),
      r.ctx,
    );
    await d.open();
    const ac = new AbortController();
    const p = d.selfTest(500, ac.signal);
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await jest.advanceTimersByTimeAsync(60_000);
    expect(settled).toBe(false);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    const p2 = d.selfTest(500, new AbortController().signal);
    await d.close();
    await expect(p2).rejects.toBeInstanceOf(AbortedError);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('scenario', () => {
  test('steps apply at their times from open(): values, errors, silence', async () => {
    const r = recorder();
    const d = plugin.createDriver(
      options({
        intervalMs: 100,
        resistanceOhm: 1000,
        scenario: {
          steps: [
            { atMs: 250, set: { resistanceOhm: 2000, voltageV: 12 } },
            { atMs: 400, raiseError: { type: 'DeviceFault', subType: 'E1', message: 'm' } },
            { atMs: 600, clearError: { type: 'DeviceFault', subType: 'E1' } },
            { atMs: 700, deviceSilent: true },
            { atMs: 1000, deviceSilent: false },
          ],
        },
      }),
      r.ctx,
    );
    await d.open();
    await d.start();
    await jest.advanceTimersByTimeAsync(300);
    expect(r.measurements.map((m) => m.resistanceOhm)).toEqual([1000, 1000, 1000, 2000]);
    expect(r.measurements[3].voltageV).toBe(12);
    await jest.advanceTimersByTimeAsync(400);
    expect(r.raised).toEqual([{ type: 'DeviceFault', subType: 'E1', message: 'm' }]);
    expect(r.cleared).toEqual([{ type: 'DeviceFault', subType: 'E1' }]);
    const before = r.measurements.length;
    await jest.advanceTimersByTimeAsync(250);
    expect(r.measurements.length).toBe(before); // silent
    await jest.advanceTimersByTimeAsync(150);
    expect(r.measurements.length).toBeGreaterThan(before);
    await d.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  test('repeat loops with periodMs (default: last atMs + intervalMs)', async () => {
    const r = recorder();
    const d = plugin.createDriver(
      options({
        intervalMs: 100,
        scenario: {
          repeat: true,
          steps: [
            { atMs: 0, raiseError: { type: 'VendorWarning' } },
            { atMs: 200, clearError: { type: 'VendorWarning' } },
          ],
        },
      }),
      r.ctx,
    );
    await d.open();
    await jest.advanceTimersByTimeAsync(950); // period 300: cycles at 0, 300, 600, 900
    expect(r.raised).toHaveLength(4);
    expect(r.cleared).toHaveLength(3);
    await d.close();
    const r2 = recorder();
    const d3 = plugin.createDriver(
      options({
        scenario: { repeat: true, periodMs: 1000, steps: [{ atMs: 0, raiseError: { type: 'VendorWarning' } }] },
      }),
      r2.ctx,
    );
    await d3.open();
    await jest.advanceTimersByTimeAsync(2500);
    expect(r2.raised).toHaveLength(3);
    await d3.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
