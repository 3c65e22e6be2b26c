import { AbortedError, Backoff, PollLoop, type Driver, type DriverContext } from '@imd-host/sdk';
import { CanBusError, openCanBus, type CanBus } from './bus';
import { DeviceErrorFrame, Iso165cClient, NoResponseError } from './iso165c/client';
import {
  Cmd,
  commandName,
  ERROR_IMC_NO_RESPONSE,
  EXT_HARDWARE_MASK,
  LOCK_UNLOCKED,
  MAX_RESISTANCE_KOHM,
  RELAY_CLOSED,
  RELAY_NEGATIVE,
  RELAY_OPEN,
  RELAY_POSITIVE,
  UNLOCK_PASSWORD,
  VifcBit,
  type CommandFrame,
  type InfoFrame,
} from './iso165c/protocol';
import { runSelfTest, selfTestPassed } from './iso165c/self-test';
import { extBitNames, invalidReasons, isMeasurementValid } from './iso165c/status';
import { statusErrors } from './iso165c/status-errors';
import { ErrorState } from './error-state';
import { Wakeup } from './wakeup';
import type { ResolvedOptions } from './options';

/** Failed supervision cycles without any answer before the bus is closed and opened again. */
const REOPEN_AFTER_SILENT_CYCLES = 3;

/** IMD_Info frames in a row that contradict the applied measurement mode before it is re-sent. */
const MODE_MISMATCH_LIMIT = 3;

/** A configuration step the device answered with something unexpected. */
class UnexpectedAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedAnswer';
  }
}

/**
 * Driver for a Bender iso165C / iso165C-1 on a CAN bus. A supervisor loop connects the bus,
 * configures the device (unlock, thresholds, mean factor) and applies the wanted measurement
 * mode, retrying with backoff; a poll loop reads R_iso (and HV) while started; IMD_Info frames
 * feed the status checks and a watchdog.
 */
export class Iso165cDriver implements Driver {
  readonly pollIntervalMs: number;
  private readonly errors: ErrorState;
  private readonly lifetime = new AbortController();
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
  private readonly pollLoop: PollLoop;
  private bus: CanBus | undefined;
  private client: Iso165cClient | undefined;
  private supervisor: Promise<void> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly wakeup = new Wakeup();
  private closing = false;
  private configured = false;
  private wantMeasuring = false;
  /** The measurement mode last confirmed by the device's echo, `undefined` = unknown. */
  private appliedMeasuring: boolean | undefined;
  private modeMismatches = 0;
  /** Supervision cycles in a row that failed for want of an answer. */
  private silentCycles = 0;
  /** The device answered the voltage request with an error frame: stop asking. */
  private voltageUnsupported = false;
  private selfTestRunning = false;
  private lastInfo: { info: InfoFrame; at: number } | undefined;
  private infoWatchStart = 0;
  /** Commands whose error frame raised a VendorError/DeviceFault, by CMD → error ref. */
  private readonly failedCommands = new Map<number, { type: 'VendorError' | 'DeviceFault'; subType: string }>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly ctx: DriverContext,
  ) {
    this.pollIntervalMs = options.pollIntervalMs;
    this.errors = new ErrorState(ctx);
    const requestsPerPoll = options.voltage === 'none' ? 1 : 2;
    this.pollLoop = new PollLoop({
      intervalMs: options.pollIntervalMs,
      timeoutMs: Math.max(
        options.pollIntervalMs,
        2 * requestsPerPoll * options.requestAttempts * options.responseTimeoutMs,
      ),
      poll: (signal) => this.pollOnce(signal),
      onError: (e) => this.ctx.log.debug({ err: e }, 'measurement poll failed'),
    });
  }

  async open(): Promise<void> {
    if (this.supervisor || this.closing) return;
    const firstCycle = this.wakeup.nextCycle();
    this.supervisor = this.supervise();
    await firstCycle;
  }

  async start(): Promise<void> {
    if (this.closing) return;
    this.wantMeasuring = true;
    this.pollLoop.start();
    await this.kick();
  }

  async stop(): Promise<void> {
    this.wantMeasuring = false;
    await this.pollLoop.stop();
    await this.kick();
  }

  async selfTest(testVoltageV: number, signal: AbortSignal): Promise<boolean> {
    if (!this.client || !this.configured || this.closing) {
      this.ctx.log.warn('self test requested while the device is not connected: failed');
      return false;
    }
    this.ctx.log.info({ testVoltageV }, 'self test started (the iso165C tests with its own test pulses)');
    this.selfTestRunning = true;
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.lifetime.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(onAbort, this.options.selfTestTimeoutMs);
    if (signal.aborted) abort.abort();
    try {
      if (this.options.model === 'iso165c-1') await this.setRelays(RELAY_OPEN, abort.signal);
      const request = (cmd: number, dw1: number, dw2: number, s: AbortSignal): Promise<CommandFrame> =>
        this.request(cmd, dw1, dw2, s);
      const outcome = await runSelfTest(request, Math.min(250, this.options.pollIntervalMs), abort.signal);
      const hardware = outcome.ext & EXT_HARDWARE_MASK;
      const other = outcome.ext & ~EXT_HARDWARE_MASK & 0xffff;
      this.errors.set(hardware !== 0, {
        type: 'DeviceFault',
        subType: 'SelfTestHardware',
        message: `self test failed: ${extBitNames(hardware).join(', ')}`,
      });
      this.errors.set(other !== 0, {
        type: 'VendorError',
        subType: 'SelfTest',
        message: `self test check failed: ${extBitNames(other).join(', ')}`,
      });
      const passed = selfTestPassed(outcome);
      this.ctx.log.info({ passed, imcStatus: outcome.imcStatus, ext: outcome.ext }, 'self test finished');
      return passed;
    } catch (e) {
      const why = e instanceof AbortedError ? (signal.aborted ? 'aborted' : 'timed out') : (e as Error).message;
      this.ctx.log.warn({ err: e }, `self test failed: ${why}`);
      return false;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      this.lifetime.signal.removeEventListener('abort', onAbort);
      // The device deactivates measuring after a self test; the supervisor restores the mode.
      this.appliedMeasuring = undefined;
      this.selfTestRunning = false;
      this.wake();
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.lifetime.abort();
    this.wake();
    await this.pollLoop.stop();
    await this.supervisor;
    this.supervisor = undefined;
    await this.disconnect();
    this.wakeup.endCycle();
  }

  // ---------------------------------------------------------------- supervision

  private async supervise(): Promise<void> {
    while (!this.closing) {
      try {
        if (!this.client) await this.connect();
        if (!this.configured) await this.configure();
        if (!this.selfTestRunning && this.appliedMeasuring !== this.wantMeasuring) await this.applyMode();
        this.backoff.reset();
        this.silentCycles = 0;
        this.wakeup.endCycle();
        await this.wakeup.sleep(undefined);
      } catch (e) {
        if (this.closing) break;
        await this.onSupervisionFailure(e);
        this.wakeup.endCycle();
        await this.wakeup.sleep(this.backoff.next());
      }
    }
    this.wakeup.endCycle();
  }

  private async onSupervisionFailure(e: unknown): Promise<void> {
    if (e instanceof CanBusError) {
      this.errors.raise({ type: 'CommunicationFault', subType: 'Bus', message: e.message });
      await this.disconnect();
    } else if (e instanceof NoResponseError && ++this.silentCycles >= REOPEN_AFTER_SILENT_CYCLES) {
      // A transport can die without telling (e.g. a serial port that only reads EOF): reopen it.
      this.ctx.log.warn(
        `no answers for ${this.silentCycles} attempts: reopening ${this.bus?.description ?? 'the bus'}`,
      );
      this.silentCycles = 0;
      await this.disconnect();
    } else if (e instanceof UnexpectedAnswer) {
      this.errors.raise({ type: 'VendorError', subType: 'Configuration', message: e.message });
    } else if (!(e instanceof NoResponseError || e instanceof DeviceErrorFrame || e instanceof AbortedError)) {
      this.ctx.log.error({ err: e }, 'unexpected supervision failure');
    }
    this.configured = false;
  }

  private async connect(): Promise<void> {
    const bus = await openCanBus(this.options.bus);
    if (this.closing) {
      await bus.close();
      return;
    }
    this.bus = bus;
    this.client = new Iso165cClient(bus, {
      ids: this.options.protocol,
      responseTimeoutMs: this.options.responseTimeoutMs,
      attempts: this.options.requestAttempts,
      onInfo: (info, at) => this.onInfo(info, at),
    });
    bus.onClose((err) => {
      if (this.closing || this.bus !== bus) return;
      this.ctx.log.warn({ err }, `${bus.description} lost`);
      this.errors.raise({
        type: 'CommunicationFault',
        subType: 'Bus',
        message: `${bus.description} lost${err ? `: ${err.message}` : ''}`,
      });
      void this.disconnect().then(() => this.wake());
    });
    this.errors.clear({ type: 'CommunicationFault', subType: 'Bus' });
    this.ctx.log.info(`connected to ${bus.description}`);
    this.infoWatchStart = Date.now();
    const period = Math.max(20, Math.min(250, Math.floor(this.options.infoTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.checkInfoAge(), period);
  }

  private async disconnect(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.client?.dispose();
    this.client = undefined;
    const bus = this.bus;
    this.bus = undefined;
    this.configured = false;
    this.appliedMeasuring = undefined;
    this.lastInfo = undefined;
    await bus?.close();
  }

  /** Unlock, write the configured thresholds and mean factor. */
  private async configure(): Promise<void> {
    const signal = this.lifetime.signal;
    const lock = await this.request(Cmd.SetLock, LOCK_UNLOCKED, UNLOCK_PASSWORD, signal);
    if (lock.dw1 !== LOCK_UNLOCKED) {
      throw new UnexpectedAnswer(`device did not unlock (lock mode ${lock.dw1}; 2 = blocked after too many retries)`);
    }
    const { errorOhm, warningOhm } = this.options.thresholds;
    if (errorOhm !== undefined) {
      await this.ensureSetting(Cmd.GetErrorThreshold, Cmd.SetErrorThreshold, Math.round(errorOhm / 1000), signal);
    }
    if (warningOhm !== undefined) {
      await this.ensureSetting(Cmd.GetWarningThreshold, Cmd.SetWarningThreshold, Math.round(warningOhm / 1000), signal);
    }
    if (this.options.meanFactor !== undefined) {
      await this.ensureSetting(Cmd.GetMeanFactor, Cmd.SetMeanFactor, this.options.meanFactor, signal);
    }
    this.errors.clear({ type: 'VendorError', subType: 'Configuration' });
    this.configured = true;
    this.appliedMeasuring = undefined;
    this.ctx.log.info('device configured');
  }

  /**
   * Writes a setting only when the device holds a different value (settings may live in EEPROM;
   * the driver configures again after every communication loss). A device that rejects the GET
   * gets the SET anyway.
   */
  private async ensureSetting(getCmd: number, setCmd: number, value: number, signal: AbortSignal): Promise<void> {
    try {
      if ((await this.request(getCmd, 0, 0, signal, true)).dw1 === value) return;
    } catch (e) {
      if (!(e instanceof DeviceErrorFrame)) throw e;
    }
    await this.setAndCheck(setCmd, value, signal);
  }

  private async setAndCheck(cmd: number, value: number, signal: AbortSignal): Promise<void> {
    const r = await this.request(cmd, value, 0, signal);
    if (r.dw1 !== value) throw new UnexpectedAnswer(`${commandName(cmd)}: wrote ${value}, device echoed ${r.dw1}`);
  }

  /** Sends CTL_MEASUREMENT (and, on the iso165C-1, switches the coupling relays). */
  private async applyMode(): Promise<void> {
    const want = this.wantMeasuring;
    const signal = this.lifetime.signal;
    const { measurementStartValue, measurementStopValue } = this.options.protocol;
    if (want && this.options.model === 'iso165c-1') await this.setRelays(RELAY_CLOSED, signal);
    const value = want ? measurementStartValue : measurementStopValue;
    const r = await this.request(Cmd.SetMeasurement, value, 0, signal);
    if (r.dw1 !== value) throw new UnexpectedAnswer(`${commandName(Cmd.SetMeasurement)}: sent ${value}, echo ${r.dw1}`);
    if (!want && this.options.model === 'iso165c-1') await this.setRelays(RELAY_OPEN, signal);
    this.appliedMeasuring = want;
    this.modeMismatches = 0;
    this.ctx.log.info(`measurement ${want ? 'started' : 'stopped'}`);
  }

  private async setRelays(state: number, signal: AbortSignal): Promise<void> {
    for (const relay of [RELAY_NEGATIVE, RELAY_POSITIVE]) {
      await this.request(Cmd.SetHvRelay, relay, state, signal);
      const r = await this.request(Cmd.GetHvRelay, relay, 0, signal);
      if (r.dw1 !== relay || r.dw2 !== state) {
        throw new UnexpectedAnswer(`coupling relay ${relay} reports state ${r.dw2}, expected ${state}`);
      }
    }
  }

  private wake(): void {
    this.wakeup.wake();
  }

  /** Resolves when the supervisor has finished its next cycle. */
  private kick(): Promise<void> {
    if (!this.supervisor || this.closing) return Promise.resolve();
    const done = this.wakeup.nextCycle();
    this.wake();
    return done;
  }

  // ---------------------------------------------------------------- requests

  /**
   * A request with error bookkeeping: NoResponse → CommunicationFault, error frames → VendorError
   * (DeviceFault for "IMC dead"). `optional` requests (e.g. the HV voltage, which not every
   * firmware may offer) reject on an error frame without raising anything.
   */
  private async request(
    cmd: number,
    dw1: number,
    dw2: number,
    signal: AbortSignal,
    optional = false,
  ): Promise<CommandFrame> {
    const client = this.client;
    if (!client) throw new CanBusError('CAN bus not connected');
    try {
      const r = await client.request(cmd, dw1, dw2, signal);
      this.errors.clear({ type: 'CommunicationFault', subType: 'NoResponse' });
      const failed = this.failedCommands.get(cmd);
      if (failed) {
        this.failedCommands.delete(cmd);
        this.errors.clear(failed);
      }
      return r;
    } catch (e) {
      if (e instanceof NoResponseError) {
        this.errors.raise({ type: 'CommunicationFault', subType: 'NoResponse', message: e.message });
        this.configured = false;
      } else if (e instanceof DeviceErrorFrame && !optional) {
        const ref =
          e.code === ERROR_IMC_NO_RESPONSE
            ? ({ type: 'DeviceFault', subType: 'ImcNoResponse' } as const)
            : ({ type: 'VendorError', subType: String(e.code) } as const);
        const previous = this.failedCommands.get(cmd);
        if (previous && (previous.type !== ref.type || previous.subType !== ref.subType)) this.errors.clear(previous);
        this.failedCommands.set(cmd, ref);
        this.errors.raise({ ...ref, message: e.message });
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- measurement

  private async pollOnce(signal: AbortSignal): Promise<void> {
    try {
      await this.poll(signal);
    } catch (e) {
      // The device stopped answering: let the supervisor reconnect/reconfigure it.
      if (e instanceof NoResponseError || e instanceof CanBusError) this.wake();
      throw e;
    }
  }

  private async poll(signal: AbortSignal): Promise<void> {
    if (!this.measurementAllowed()) return;
    const r = await this.request(Cmd.GetResistance, 0, 0, signal);
    const takenAt = Date.now();
    let voltageV: number | undefined;
    if (this.options.voltage !== 'none' && !this.voltageUnsupported) {
      const cmd = this.options.voltage === 'hv1' ? Cmd.GetHv1 : Cmd.GetHv2;
      try {
        voltageV = (await this.request(cmd, 0, 0, signal, true)).dw1;
      } catch (e) {
        if (!(e instanceof DeviceErrorFrame)) throw e;
        // The resistance matters; a device that has no voltage reading must not stop it.
        this.voltageUnsupported = true;
        this.ctx.log.warn(`${e.message}: reporting measurements without voltage_V from now on`);
      }
    }
    // Re-check after the awaits: a self test, stop or status change may have happened meanwhile.
    if (!this.measurementAllowed() || signal.aborted) return;
    const latest = this.lastInfo;
    if (!latest || takenAt - latest.at > this.options.infoTimeoutMs) return;
    if (!isMeasurementValid(latest.info.imcStatus, latest.info.vifcStatus)) {
      this.ctx.log.debug(
        { reasons: invalidReasons(latest.info.imcStatus, latest.info.vifcStatus) },
        'measurement not valid: held back',
      );
      return;
    }
    const kOhm = Math.min(r.dw1, MAX_RESISTANCE_KOHM);
    this.ctx.measurement({ resistanceOhm: kOhm * 1000, ...(voltageV !== undefined ? { voltageV } : {}), takenAt });
  }

  private measurementAllowed(): boolean {
    return (
      this.wantMeasuring &&
      !this.closing &&
      !this.selfTestRunning &&
      this.configured &&
      this.appliedMeasuring === true &&
      !this.errors.has({ type: 'CommunicationFault', subType: 'InfoTimeout' }) &&
      !this.errors.has({ type: 'DeviceFault', subType: 'SystemFailure' })
    );
  }

  // ---------------------------------------------------------------- IMD_Info

  private onInfo(info: InfoFrame, at: number): void {
    this.lastInfo = { info, at };
    if (this.errors.has({ type: 'CommunicationFault', subType: 'InfoTimeout' })) {
      this.errors.clear({ type: 'CommunicationFault', subType: 'InfoTimeout' });
      // The device may have restarted while silent: configure it again.
      this.configured = false;
      this.wake();
    }
    for (const { active, error } of statusErrors(info)) this.errors.set(active, error);
    this.checkMode(info.vifcStatus);
  }

  /** Re-sends the measurement mode when IMD_Info keeps contradicting it. */
  private checkMode(vifcStatus: number): void {
    if (this.selfTestRunning || this.appliedMeasuring === undefined) return;
    const measuring = (vifcStatus & VifcBit.MeasurementDeactivated) === 0;
    if (measuring === this.appliedMeasuring) {
      this.modeMismatches = 0;
      return;
    }
    this.modeMismatches += 1;
    if (this.modeMismatches >= MODE_MISMATCH_LIMIT) {
      this.ctx.log.warn(`IMD_Info says measurement ${measuring ? 'on' : 'off'}: re-applying the mode`);
      this.modeMismatches = 0;
      this.appliedMeasuring = undefined;
      this.wake();
    }
  }

  private checkInfoAge(): void {
    const since = this.lastInfo?.at ?? this.infoWatchStart;
    const age = Date.now() - since;
    if (age > this.options.infoTimeoutMs) {
      this.errors.raise({
        type: 'CommunicationFault',
        subType: 'InfoTimeout',
        message: `no IMD_Info (CAN id 0x${this.options.protocol.infoId.toString(16)}) from the iso165C for ${this.options.infoTimeoutMs} ms on ${this.bus?.description ?? 'the bus'}`,
      });
    }
  }
}
