import { ImcBit, VifcBit } from './iso165c/protocol';
import { memoryRig, type MemoryRig } from './testing/harness';
import { sleep, waitFor } from './testing/wait-for';

describe('iso165C driver over the memory bus', () => {
  let rig: MemoryRig | undefined;

  afterEach(async () => {
    await rig?.dispose();
    rig = undefined;
  });

  it('unlocks and configures the device, then reports decoded resistance and HV voltage while started', async () => {
    rig = await memoryRig(
      { thresholds: { errorOhm: 400_000, warningOhm: 900_000 }, meanFactor: 12 },
      { resistanceKOhm: 1234, hv1V: 812 },
    );
    const { ctx, driver, sim } = rig;
    await driver.open();
    expect(sim!.state).toMatchObject({
      locked: false,
      errorThresholdKOhm: 400,
      warningThresholdKOhm: 900,
      meanFactor: 12,
      measuring: false,
    });
    await sleep(400);
    expect(ctx.measurements).toEqual([]); // not started: nothing

    await driver.start();
    await waitFor(() => ctx.measurements.length >= 2, 'two measurements');
    expect(sim!.state.measuring).toBe(true);
    const m = ctx.measurements.at(-1)!;
    expect(m.resistanceOhm).toBe(1_234_000);
    expect(m.voltageV).toBe(812);
    expect(Math.abs(Date.now() - m.takenAt!)).toBeLessThan(5000);

    sim!.setResistanceKOhm(56);
    await waitFor(() => ctx.measurements.at(-1)?.resistanceOhm === 56_000, 'new resistance');
    sim!.setResistanceKOhm(0xffff); // saturated: above the 50 MΩ range, never more
    await waitFor(() => ctx.measurements.at(-1)?.resistanceOhm === 50_000_000, 'range end');
    expect(ctx.raises('CommunicationFault')).toEqual([]);
    expect(ctx.raises('DeviceFault')).toEqual([]);

    await driver.stop();
    expect(sim!.state.measuring).toBe(false);
    const mark = ctx.mark;
    await sleep(600);
    expect(ctx.measurementsAfter(mark)).toEqual([]);
  });

  it('writes settings only when the device holds other values, also after a reconnect', async () => {
    rig = await memoryRig({ thresholds: { errorOhm: 500_000, warningOhm: 800_000 } });
    const { ctx, driver, sim } = rig;
    const sets = (cmd: number): number => sim!.requests.filter((r) => r.cmd === cmd).length;
    await driver.open();
    expect(sets(0x28)).toBe(0); // 500 kΩ is already set
    expect(sets(0x29)).toBe(1);
    sim!.goSilent();
    await waitFor(() => ctx.isActive('CommunicationFault', 'InfoTimeout'), 'CommunicationFault', 5000);
    const unlocks = sets(0xca);
    sim!.resume();
    await waitFor(() => sets(0xca) > unlocks && sets(0x39) >= 2, 'configured again', 10_000);
    expect(sets(0x29)).toBe(1);
    expect(sim!.state.warningThresholdKOhm).toBe(800);
  });

  it('reads HV2 or no voltage as configured', async () => {
    rig = await memoryRig({ voltage: 'none' });
    await rig.driver.open();
    await rig.driver.start();
    await waitFor(() => rig!.ctx.measurements.length >= 1, 'a measurement');
    expect(rig.ctx.measurements[0]).not.toHaveProperty('voltageV');
    expect(rig.sim!.requests.some((r) => r.cmd === 0x36 || r.cmd === 0x3a)).toBe(false);
    await rig.dispose();

    rig = await memoryRig({ voltage: 'hv2' }, { hv1V: 100, hv2V: 222 });
    await rig.driver.open();
    await rig.driver.start();
    await waitFor(() => rig!.ctx.measurements.length >= 1, 'a measurement');
    expect(rig.ctx.measurements[0]?.voltageV).toBe(222);
  });

  it('holds measurements back while the device says the value is outdated', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.setOutdated(true);
    await sleep(300); // let an IMD_Info with the outdated bit arrive
    const mark = ctx.mark;
    await sleep(600);
    expect(ctx.measurementsAfter(mark)).toEqual([]);
    sim!.setOutdated(false);
    await waitFor(() => ctx.measurementsAfter(mark).length >= 1, 'measurements again');
  });

  it('self test passes: true, measurements held back meanwhile, measuring restored', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.setSelfTest('pass', { durationMs: 500 });
    const before = ctx.mark;
    const started = Date.now();
    const result = await driver.selfTest(500, new AbortController().signal);
    const ended = ctx.mark;
    expect(result).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // it waited for the device
    expect(sim!.requests.filter((r) => r.cmd === 0x21)).toHaveLength(1);
    expect(ctx.events.slice(before + 1, ended + 1).filter((e) => e.kind === 'measurement')).toEqual([]);
    await waitFor(() => ctx.measurementsAfter(ended).length >= 1, 'measurements after the self test');
    expect(sim!.state.measuring).toBe(true);
    expect(ctx.raises('DeviceFault')).toEqual([]);
  });

  it('self test fails: false and a DeviceFault naming the failed check; a later pass clears it', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    sim!.setSelfTest('fail', { durationMs: 200, failExt: (1 << 1) | (1 << 9) });
    expect(await driver.selfTest(500, new AbortController().signal)).toBe(false);
    expect(ctx.raises('DeviceFault', 'SelfTestHardware')[0]?.message).toMatch(/hardware, \+12 V level/);
    expect(ctx.isActive('DeviceFault', 'SelfTestHardware')).toBe(true);

    sim!.setSelfTest('fail', { durationMs: 200, failExt: 1 << 7 });
    expect(await driver.selfTest(500, new AbortController().signal)).toBe(false);
    expect(ctx.isActive('VendorError', 'SelfTest')).toBe(true);
    expect(ctx.isActive('DeviceFault', 'SelfTestHardware')).toBe(false);

    sim!.setSelfTest('pass', { durationMs: 200 });
    expect(await driver.selfTest(500, new AbortController().signal)).toBe(true);
    expect(ctx.isActive('VendorError', 'SelfTest')).toBe(false);
  });

  it('self test that never finishes: false after selfTestTimeoutMs', async () => {
    rig = await memoryRig({ selfTestTimeoutMs: 1500 });
    await rig.driver.open();
    rig.sim!.setSelfTest('hang');
    const started = Date.now();
    expect(await rig.driver.selfTest(500, new AbortController().signal)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('self test aborted by the host: false', async () => {
    rig = await memoryRig();
    await rig.driver.open();
    rig.sim!.setSelfTest('hang');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    expect(await rig.driver.selfTest(500, abort.signal)).toBe(false);
  });

  it('self test with no device answering: false', async () => {
    rig = await memoryRig();
    await rig.driver.open();
    rig.sim!.goSilent({ responses: true });
    expect(await rig.driver.selfTest(500, new AbortController().signal)).toBe(false);
  });

  it('device system failure: DeviceFault naming the bit, no measurement until it clears', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.setSystemFailure(true);
    await waitFor(() => ctx.isActive('DeviceFault', 'SystemFailure'), 'DeviceFault');
    expect(ctx.raises('DeviceFault', 'SystemFailure')[0]?.message).toMatch(/system failure/);
    const raisedAt = ctx.indexOf((e) => e.kind === 'raise' && e.error.type === 'DeviceFault');
    await sleep(700);
    expect(ctx.measurementsAfter(raisedAt)).toEqual([]);
    sim!.setSystemFailure(false);
    await waitFor(() => !ctx.isActive('DeviceFault', 'SystemFailure'), 'DeviceFault cleared');
    const clearedAt = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(clearedAt).length >= 1, 'measurements again');
    expect(ctx.raises('DeviceFault', 'SystemFailure')).toHaveLength(1);
  });

  it('IMC link bits → CommunicationFault, chassis fault → VendorWarning; both cleared', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    sim!.setStatusBits(ImcBit.ChassisFault, VifcBit.ImcAliveError);
    await waitFor(
      () => ctx.isActive('CommunicationFault', 'ImcLink') && ctx.isActive('VendorWarning', 'ChassisFault'),
      'raised',
    );
    sim!.setStatusBits(0, 0);
    await waitFor(() => !ctx.isActive('CommunicationFault') && !ctx.isActive('VendorWarning'), 'cleared');
  });

  it('silent device: one CommunicationFault within infoTimeoutMs, cleared when it resumes', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.goSilent();
    const silentAt = Date.now();
    await waitFor(() => ctx.isActive('CommunicationFault', 'InfoTimeout'), 'CommunicationFault', 5000);
    expect(Date.now() - silentAt).toBeLessThan(600 + 2000);
    const raisedAt = ctx.mark;
    await sleep(1000);
    expect(ctx.raises('CommunicationFault', 'InfoTimeout')).toHaveLength(1);
    expect(ctx.measurementsAfter(raisedAt)).toEqual([]);
    sim!.resume();
    await waitFor(() => !ctx.isActive('CommunicationFault'), 'CommunicationFault cleared', 10_000);
    const clearedAt = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(clearedAt).length >= 1, 'measurements again', 10_000);
  });

  it('device that reboots while silent (locked, not measuring) is configured again', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.goSilent();
    await waitFor(() => ctx.isActive('CommunicationFault', 'InfoTimeout'), 'CommunicationFault', 5000);
    // power cycle: a fresh device on the same bus
    sim!.stop();
    const fresh = await rig.attachDevice();
    expect(fresh.state.locked).toBe(true);
    await waitFor(() => !ctx.isActive('CommunicationFault'), 'cleared', 10_000);
    const mark = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(mark).length >= 1, 'measurements from the fresh device', 10_000);
    expect(fresh.state).toMatchObject({ locked: false, measuring: true });
  });

  it('absent device: open() resolves, CommunicationFault raised, cleared once the device appears', async () => {
    rig = await memoryRig({}, false);
    const { ctx, driver } = rig;
    await driver.open();
    await waitFor(() => ctx.isActive('CommunicationFault', 'NoResponse'), 'NoResponse fault');
    expect(ctx.raises('CommunicationFault', 'NoResponse')[0]?.message).toMatch(/no response to 0xCA CTL_LOCK/);
    await waitFor(() => ctx.isActive('CommunicationFault', 'InfoTimeout'), 'InfoTimeout fault');
    await driver.start(); // does not reject either
    await rig.attachDevice();
    await waitFor(() => !ctx.isActive('CommunicationFault'), 'faults cleared', 15_000);
    const mark = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(mark).length >= 1, 'measurements', 10_000);
    expect(ctx.raises('CommunicationFault', 'NoResponse')).toHaveLength(1);
  });

  it('error frame from the device: VendorError with its code and the failed command', async () => {
    rig = await memoryRig({ protocol: { measurementStartValue: 7 } });
    const { ctx, driver } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.isActive('VendorError', '1034'), 'VendorError 1034');
    expect(ctx.raises('VendorError', '1034')[0]?.message).toMatch(/0xCB CTL_MEASUREMENT.*invalid parameter/);
    await sleep(500);
    expect(ctx.measurements).toEqual([]);
  });

  it('iso165C-1: closes the coupling relays to measure and opens them on stop and for the self test', async () => {
    rig = await memoryRig({ model: 'iso165c-1' });
    const { ctx, driver, sim } = rig;
    await driver.open();
    expect(sim!.state.relays).toEqual([0, 0]);
    await driver.start();
    expect(sim!.state.relays).toEqual([1, 1]);
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.setSelfTest('pass', { durationMs: 200 });
    const selfTest = driver.selfTest(500, new AbortController().signal);
    await waitFor(() => sim!.state.selfTestRunning, 'self test running');
    expect(sim!.state.relays).toEqual([0, 0]);
    expect(await selfTest).toBe(true);
    await waitFor(() => sim!.state.relays.every((r) => r === 1), 'relays closed again');
    await driver.stop();
    expect(sim!.state.relays).toEqual([0, 0]);
  });

  it('retries an unanswered request without raising a fault', async () => {
    rig = await memoryRig({ requestAttempts: 3 });
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    const before = sim!.requests.length;
    sim!.dropResponses(2);
    const mark = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(mark).length >= 2, 'measurements despite lost responses');
    expect(sim!.requests.length - before).toBeGreaterThanOrEqual(4);
    expect(ctx.raises('CommunicationFault')).toEqual([]);
  });

  it('re-sends the measurement mode when IMD_Info keeps saying measuring is off', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    const starts = (): number => sim!.requests.filter((r) => r.cmd === 0xcb && r.dw1 === 1).length;
    const before = starts();
    sim!.setMeasuring(false);
    await waitFor(() => starts() > before, 'start sent again', 5000);
    const mark = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(mark).length >= 1, 'measurements again', 5000);
    expect(sim!.state.measuring).toBe(true);
  });

  it('error frames on R_iso raise a VendorError per code, cleared when the command works again', async () => {
    rig = await memoryRig();
    const { ctx, driver, sim } = rig;
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 1, 'a measurement');
    sim!.setCommandError(0x35, 32);
    await waitFor(() => ctx.isActive('VendorError', '32'), 'VendorError 32');
    expect(ctx.raises('VendorError', '32')[0]?.message).toMatch(/0x35 GET_R_ISO.*IMC 10-ms timeout/);
    sim!.setCommandError(0x35, 1038);
    await waitFor(() => ctx.isActive('DeviceFault', 'ImcNoResponse'), 'DeviceFault for a dead IMC');
    expect(ctx.isActive('VendorError', '32')).toBe(false);
    const mark = ctx.mark;
    await sleep(500);
    expect(ctx.measurementsAfter(mark)).toEqual([]);
    sim!.setCommandError(0x35, undefined);
    await waitFor(() => !ctx.isActive('DeviceFault') && !ctx.isActive('VendorError'), 'errors cleared');
    const clearedAt = ctx.mark;
    await waitFor(() => ctx.measurementsAfter(clearedAt).length >= 1, 'measurements again');
  });

  it('a device without the voltage command still reports resistance, without voltage and without an error', async () => {
    rig = await memoryRig({ voltage: 'hv1' });
    const { ctx, driver, sim } = rig;
    sim!.setCommandError(0x36, 35);
    await driver.open();
    await driver.start();
    await waitFor(() => ctx.measurements.length >= 2, 'measurements');
    expect(ctx.measurements.at(-1)).not.toHaveProperty('voltageV');
    expect(ctx.raises('VendorError')).toEqual([]);
  });

  it('close() is idempotent and stops all traffic', async () => {
    rig = await memoryRig();
    const { driver, sim } = rig;
    await driver.open();
    await driver.start();
    await driver.close();
    await driver.close();
    const n = sim!.requests.length;
    await sleep(500);
    expect(sim!.requests.length).toBe(n);
  });
});
