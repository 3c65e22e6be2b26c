import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ERROR_TYPES, SDK_VERSION, isSdkCompatible, type Driver, type PluginDescriptor } from '@imd-host/sdk';
import Ajv from 'ajv';
import { recordingContext, waitUntil, type RecordingContext } from './recording-context';

/** What a conformance run needs from the plugin author. */
export interface ConformanceOptions<Options, Device = unknown> {
  /** The plugin's descriptor (its package's default export). */
  readonly plugin: PluginDescriptor<Options>;
  /**
   * Options of a driver that talks to the device started by `device` (schema defaults are
   * applied by the kit, as the host does). A function gets the device handle.
   */
  readonly options: Options | ((device: Device) => Options);
  /** Start the device (usually the plugin's simulator) before each test; stopped after it. */
  readonly device?: { start(): Promise<Device>; stop(device: Device): Promise<void> };
  /** Options that the schema must reject. */
  readonly invalidOptions?: readonly unknown[];
  /**
   * Make the device report a fault (`on: true`) and recover (`on: false`). The driver must
   * raise an error through its context, then clear it.
   */
  readonly injectFault?: (device: Device, on: boolean) => Promise<void> | void;
  /** Time limits; defaults: first measurement 5 s, self test 60 s. */
  readonly timeouts?: { readonly measurementMs?: number; readonly selfTestMs?: number };
}

/** Resource kinds whose count must not grow across open → close (timers, sockets, serial ports). */
const TRACKED = new Set([
  'Timeout',
  'Immediate',
  'TCPWRAP',
  'TCPSocketWrap',
  'TCPServerWrap',
  'PipeWrap',
  'FSReqCallback',
]);

function trackedResources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (TRACKED.has(r)) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/**
 * Generate jest tests that check a driver plugin against the imd-host plugin contract:
 * descriptor and SDK compatibility, options schema and examples, open/start/stop semantics,
 * fresh and valid measurements, self test answered once and abortable, errors raised and
 * cleared, and no timer or socket left after `close()`.
 *
 * ```ts
 * import { describeDriverConformance } from '@imd-host/plugin-test-kit';
 * import plugin from '../src';
 * describeDriverConformance({ plugin, options: (sim) => ({ host: '127.0.0.1', port: sim.port }), device: { ... } });
 * ```
 */
export function describeDriverConformance<Options, Device = unknown>(c: ConformanceOptions<Options, Device>): void {
  const { plugin } = c;
  const measurementMs = c.timeouts?.measurementMs ?? 5000;
  const selfTestMs = c.timeouts?.selfTestMs ?? 60_000;

  describe(`imd-host plugin conformance: ${plugin.name}`, () => {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    let device: Device;
    let ctx: RecordingContext;
    let driver: Driver | undefined;
    let baseline: Map<string, number>;

    const validOptions = (): Options => {
      const o = structuredClone(
        typeof c.options === 'function' ? (c.options as (d: Device) => Options)(device) : c.options,
      );
      const validate = ajv.compile(plugin.optionsSchema);
      if (!validate(o)) throw new Error(`the conformance options are invalid: ${ajv.errorsText(validate.errors)}`);
      return o;
    };
    const open = async (): Promise<Driver> => {
      ctx = recordingContext();
      driver = plugin.createDriver(validOptions(), ctx);
      await driver.open();
      return driver;
    };

    beforeEach(async () => {
      device = (c.device ? await c.device.start() : undefined) as Device;
      baseline = trackedResources();
    });
    afterEach(async () => {
      await driver?.close();
      driver = undefined;
      if (c.device) await c.device.stop(device);
    });

    describe('descriptor', () => {
      test('has a name, a version, an SDK version compatible with this SDK, and a driver factory', () => {
        expect(typeof plugin.name).toBe('string');
        expect(plugin.name.length).toBeGreaterThan(0);
        expect(plugin.version).toMatch(/^\d+\.\d+\.\d+/);
        expect({ sdkVersion: plugin.sdkVersion, compatible: isSdkCompatible(plugin.sdkVersion, SDK_VERSION) }).toEqual({
          sdkVersion: plugin.sdkVersion,
          compatible: true,
        });
        expect(typeof plugin.createDriver).toBe('function');
      });
      test('the options schema compiles, every example validates, invalid options are rejected', () => {
        const validate = ajv.compile(plugin.optionsSchema);
        for (const ex of plugin.optionsExamples ?? []) {
          expect({ example: ex, valid: validate(structuredClone(ex)), errors: validate.errors }).toEqual({
            example: ex,
            valid: true,
            errors: null,
          });
        }
        for (const bad of c.invalidOptions ?? [])
          expect({ options: bad, valid: validate(structuredClone(bad)) }).toEqual({ options: bad, valid: false });
      });
    });

    describe('driver', () => {
      test('pollIntervalMs is a positive number; open() resolves; nothing is measured before start()', async () => {
        const d = await open();
        expect(d.pollIntervalMs).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, Math.min(1000, 2 * d.pollIntervalMs)));
        expect(ctx.measurements).toEqual([]);
      });

      test('start(): valid, fresh measurements; stop(): none afterwards', async () => {
        const d = await open();
        await d.start();
        await waitUntil(
          () => ctx.measurements.length >= 2,
          measurementMs + 2 * d.pollIntervalMs,
          'two measurements after start()',
        );
        for (const m of ctx.measurements) {
          expect(Number.isFinite(m.resistanceOhm) && m.resistanceOhm >= 0).toBe(true);
          for (const v of [m.voltageV, m.voltageToEarthL1eV, m.voltageToEarthL2eV])
            if (v !== undefined) expect(Number.isFinite(v)).toBe(true);
          if (m.takenAt !== undefined) expect(m.receivedAt - m.takenAt).toBeLessThanOrEqual(d.pollIntervalMs);
        }
        await d.stop();
        const n = ctx.measurements.length;
        await new Promise((r) => setTimeout(r, 2 * d.pollIntervalMs + 100));
        expect(ctx.measurements.length).toBe(n);
      });

      test(
        'selfTest() resolves with a boolean, once',
        async () => {
          const d = await open();
          let settled = 0;
          const result = await d.selfTest(500, new AbortController().signal).finally(() => (settled += 1));
          expect(typeof result).toBe('boolean');
          await new Promise((r) => setTimeout(r, 50));
          expect(settled).toBe(1);
        },
        selfTestMs + 5000,
      );

      test('selfTest() honours its abort signal', async () => {
        const d = await open();
        const ac = new AbortController();
        const p = d.selfTest(500, ac.signal).then(
          (v) => ({ settled: true, value: v as unknown }),
          () => ({ settled: true, value: 'rejected' as unknown }),
        );
        setTimeout(() => ac.abort(), 50);
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          p,
          new Promise((r) => {
            timer = setTimeout(() => r({ settled: false }), 5000);
          }),
        ]);
        clearTimeout(timer);
        expect(outcome).toMatchObject({ settled: true });
        // An aborted test must not report a pass.
        expect((outcome as { value: unknown }).value).not.toBe(true);
      });

      if (c.injectFault) {
        test('a device fault is raised through the context and cleared when it clears', async () => {
          const d = await open();
          await d.start();
          await waitUntil(() => ctx.measurements.length >= 1, measurementMs + 2 * d.pollIntervalMs, 'a measurement');
          await c.injectFault!(device, true);
          await waitUntil(() => ctx.activeErrors().length > 0, measurementMs, 'an error raised for the fault');
          for (const e of ctx.raised) expect(ERROR_TYPES).toContain(e.type);
          await c.injectFault!(device, false);
          await waitUntil(() => ctx.activeErrors().length === 0, measurementMs * 2, 'the error cleared');
        });
      }

      test('close() leaves no timer, socket or port behind', async () => {
        const d = await open();
        await d.start();
        await waitUntil(() => ctx.measurements.length >= 1, measurementMs + 2 * d.pollIntervalMs, 'a measurement');
        await d.stop();
        await d.close();
        driver = undefined;
        await new Promise((r) => setTimeout(r, 100));
        const after = trackedResources();
        const grown = [...after].filter(([k, n]) => n > (baseline.get(k) ?? 0));
        expect(grown).toEqual([]);
      });
    });
  });
}
