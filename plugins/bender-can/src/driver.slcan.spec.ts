import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair, requireSocat, type PtyPair } from '../../../test/support/pty';
import plugin from './index';
import { startSlcanSimulation, type SlcanSimulation } from './simulator/run';
import { RecordingContext } from './testing/recording-context';
import { FAST_DRIVER, FAST_SIM } from './testing/harness';
import { sleep, waitFor } from './testing/wait-for';
import type { Driver } from '@imd-host/sdk';

describe('iso165C driver over slcan on a pty, against the simulator', () => {
  let pty: PtyPair | undefined;
  let sim: SlcanSimulation | undefined;
  let driver: Driver | undefined;
  let ctx: RecordingContext;

  beforeAll(() => {
    requireSocat(); // a missing socat fails with an install hint; never skips
  });

  beforeEach(async () => {
    pty = await openPtyPair();
    sim = await startSlcanSimulation(pty.b, { ...FAST_SIM, resistanceKOhm: 4321, hv1V: 650 });
    ctx = new RecordingContext();
    driver = plugin.createDriver(
      { bus: { type: 'slcan', path: pty.a, bitrate: 500_000 }, ...FAST_DRIVER, responseTimeoutMs: 200 },
      ctx,
    );
  });

  afterEach(async () => {
    await driver?.close();
    await sim?.close();
    await pty?.close();
  });

  it('reports decoded values, passes and fails self tests', async () => {
    await driver!.open();
    expect(sim!.adapter.status).toEqual({ open: true, bitrate: 500_000 });
    await driver!.start();
    await waitFor(() => ctx.measurements.length >= 2, 'measurements over slcan');
    expect(ctx.measurements.at(-1)).toMatchObject({ resistanceOhm: 4_321_000, voltageV: 650 });

    sim!.device.setSelfTest('pass', { durationMs: 300 });
    expect(await driver!.selfTest(500, new AbortController().signal)).toBe(true);
    sim!.device.setSelfTest('fail', { durationMs: 300 });
    expect(await driver!.selfTest(500, new AbortController().signal)).toBe(false);
    expect(ctx.isActive('DeviceFault', 'SelfTestHardware')).toBe(true);
  });

  it('self test timeout over slcan: false', async () => {
    await driver!.close();
    driver = plugin.createDriver(
      { bus: { type: 'slcan', path: pty!.a, bitrate: 500_000 }, ...FAST_DRIVER, selfTestTimeoutMs: 1200 },
      ctx,
    );
    await driver.open();
    sim!.device.setSelfTest('hang');
    expect(await driver.selfTest(500, new AbortController().signal)).toBe(false);
  });

  it('device error → DeviceFault and no measurement; silent → CommunicationFault, resumed → cleared', async () => {
    await driver!.open();
    await driver!.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');

    sim!.device.setSystemFailure(true);
    await waitFor(() => ctx.isActive('DeviceFault', 'SystemFailure'), 'DeviceFault');
    const raisedAt = ctx.mark;
    await sleep(600);
    expect(ctx.measurementsAfter(raisedAt)).toEqual([]);
    sim!.device.setSystemFailure(false);
    await waitFor(() => !ctx.isActive('DeviceFault'), 'DeviceFault cleared');

    sim!.device.goSilent();
    await waitFor(() => ctx.isActive('CommunicationFault', 'InfoTimeout'), 'CommunicationFault', 5000);
    sim!.device.resume();
    await waitFor(() => !ctx.isActive('CommunicationFault'), 'CommunicationFault cleared', 10_000);
    const mark = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(mark).length >= 1, 'measurements again', 10_000);
    expect(ctx.raises('CommunicationFault', 'InfoTimeout')).toHaveLength(1);
  });

  it('adapter unplugged: CommunicationFault naming the port; replugged: recovers', async () => {
    // The driver opens a symlink we control, so the "adapter" can come back on the same path.
    const dir = mkdtempSync(join(tmpdir(), 'bender-replug-'));
    const port = join(dir, 'ttyACM0');
    symlinkSync(pty!.a, port);
    await driver!.close();
    driver = plugin.createDriver({ bus: { type: 'slcan', path: port, bitrate: 500_000 }, ...FAST_DRIVER }, ctx);
    let second: PtyPair | undefined;
    let secondSim: SlcanSimulation | undefined;
    try {
      await driver.open();
      await driver.start();
      await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
      await sim!.close();
      await pty!.close();
      await waitFor(() => ctx.isActive('CommunicationFault', 'Bus'), 'bus fault', 10_000);
      expect(ctx.raises('CommunicationFault', 'Bus')[0]?.message).toContain(port);
      const mark = ctx.mark;
      await sleep(500);
      expect(ctx.measurementsAfter(mark)).toEqual([]);

      second = await openPtyPair();
      secondSim = await startSlcanSimulation(second.b, { ...FAST_SIM, resistanceKOhm: 777 });
      unlinkSync(port);
      symlinkSync(second.a, port);
      await waitFor(() => !ctx.isActive('CommunicationFault'), 'faults cleared after replug', 20_000);
      await waitFor(
        () => ctx.measurements.at(-1)?.resistanceOhm === 777_000,
        'measurements from the new adapter',
        10_000,
      );
    } finally {
      await driver.close();
      await secondSim?.close();
      await second?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
