import type { CanBus, CanFrame } from '../bus';
import {
  Cmd,
  DEFAULT_IDS,
  decodeCommand,
  encodeCommand,
  encodeErrorFrame,
  encodeInfo,
  ERROR_COMMAND_LOCKED,
  ERROR_INVALID_PARAMETER,
  ERROR_THRESHOLD_KOHM,
  ERROR_UNKNOWN_COMMAND,
  ImcBit,
  LOCK_LOCKED,
  LOCK_PASSWORD,
  LOCK_UNLOCKED,
  MEAN_FACTOR,
  RELAY_CLOSED,
  SELF_TEST_OVERALL,
  VifcBit,
  WARNING_THRESHOLD_KOHM,
} from '../iso165c/protocol';

/** How the next self tests end. */
export type SelfTestBehaviour = 'pass' | 'fail' | 'hang';

export interface Iso165cSimulatorOptions {
  /** IMD_Info period in ms (device: 1000). */
  readonly infoIntervalMs?: number;
  /** How long a self test runs, in ms. */
  readonly selfTestDurationMs?: number;
  /** Initial insulation resistance in kΩ. */
  readonly resistanceKOhm?: number;
  /** Initial HV1 / HV2 voltage in V. */
  readonly hv1V?: number;
  readonly hv2V?: number;
  /** Whether the device starts locked (SET/CTL commands refused until unlocked). */
  readonly locked?: boolean;
  readonly ids?: { readonly request: number; readonly response: number; readonly info: number };
}

const SET_OR_CTL = new Set<number>([
  Cmd.SelfTest,
  Cmd.SetErrorThreshold,
  Cmd.SetWarningThreshold,
  Cmd.SetMeanFactor,
  Cmd.SetMeasurement,
  Cmd.SetHvRelay,
]);

/**
 * A Bender iso165C(-1) on a {@link CanBus}: cyclic IMD_Info, one response per request, self
 * test, and a fault-injection API for tests and bring-up.
 */
export class Iso165cSimulator {
  private readonly ids: { readonly request: number; readonly response: number; readonly info: number };
  private readonly infoIntervalMs: number;
  private selfTestDurationMs: number;
  private resistanceKOhm: number;
  private hv1V: number;
  private hv2V: number;
  private locked: boolean;
  private measuring = true;
  private errorThresholdKOhm = 500;
  private warningThresholdKOhm = 750;
  private meanFactor = 10;
  private readonly relays = [RELAY_CLOSED, RELAY_CLOSED];
  private overallSelfTestRun = false;
  private selfTestRunningNow = false;
  private selfTestBehaviour: SelfTestBehaviour = 'pass';
  private failExt = 1 << 1;
  private ext = 0;
  private systemFailure = false;
  private extraImcBits = 0;
  private extraVifcBits = 0;
  private forcedOutdated = false;
  private counter = 0;
  private testCount = 0;
  private infoSilent = false;
  private responsesSilent = false;
  private responsesToDrop = 0;
  private readonly commandErrors = new Map<number, number>();
  private infoTimer: NodeJS.Timeout | undefined;
  private selfTestTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Every request received, in order (CMD, DW1, DW2), for assertions. */
  readonly requests: { cmd: number; dw1: number; dw2: number }[] = [];

  constructor(
    private readonly bus: CanBus,
    options: Iso165cSimulatorOptions = {},
  ) {
    this.ids = options.ids ?? DEFAULT_IDS;
    this.infoIntervalMs = options.infoIntervalMs ?? 1000;
    this.selfTestDurationMs = options.selfTestDurationMs ?? 2000;
    this.resistanceKOhm = options.resistanceKOhm ?? 2000;
    this.hv1V = options.hv1V ?? 400;
    this.hv2V = options.hv2V ?? 0;
    this.locked = options.locked ?? true;
  }

  /** Starts answering and sending IMD_Info. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.bus.onFrame((f) => this.onFrame(f));
    this.infoTimer = setInterval(() => this.sendInfo(), this.infoIntervalMs);
  }

  /** Stops all timers and listeners (does not close the bus). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.infoTimer) clearInterval(this.infoTimer);
    if (this.selfTestTimer) clearTimeout(this.selfTestTimer);
    this.infoTimer = undefined;
    this.selfTestTimer = undefined;
  }

  // ------------------------------------------------------------ fault injection

  setResistanceKOhm(kOhm: number): void {
    this.resistanceKOhm = Math.max(0, Math.min(0xffff, Math.round(kOhm)));
  }

  setVoltage(hv1V: number, hv2V = this.hv2V): void {
    this.hv1V = Math.max(0, Math.min(0xffff, Math.round(hv1V)));
    this.hv2V = Math.max(0, Math.min(0xffff, Math.round(hv2V)));
  }

  /** Sets or clears the system-failure bit (D_IMC_STATUS bit 2). */
  setSystemFailure(on: boolean): void {
    this.systemFailure = on;
  }

  /** Extra bits ORed into D_IMC_STATUS and D_VIFC_STATUS (e.g. chassis fault, IMC link errors). */
  setStatusBits(imc: number, vifc = 0): void {
    this.extraImcBits = imc & 0xffff;
    this.extraVifcBits = vifc & 0xffff;
  }

  /** Marks the resistance value outdated (VIFC bit 8). */
  setOutdated(on: boolean): void {
    this.forcedOutdated = on;
  }

  /** How the next self tests end; `fail` sets `failExt` in D_IMC_STATUS_EXT (default: hardware). */
  setSelfTest(behaviour: SelfTestBehaviour, options: { durationMs?: number; failExt?: number } = {}): void {
    this.selfTestBehaviour = behaviour;
    if (options.durationMs !== undefined) this.selfTestDurationMs = options.durationMs;
    if (options.failExt !== undefined) this.failExt = options.failExt & 0xffff;
  }

  /** Stop sending IMD_Info and/or answering requests. */
  goSilent(what: { info?: boolean; responses?: boolean } = { info: true, responses: true }): void {
    this.infoSilent = what.info ?? false;
    this.responsesSilent = what.responses ?? false;
  }

  /** Answer `cmd` with an error frame carrying `code` (`undefined`: answer normally again). */
  setCommandError(cmd: number, code: number | undefined): void {
    if (code === undefined) this.commandErrors.delete(cmd);
    else this.commandErrors.set(cmd, code);
  }

  /** Drop the responses to the next `n` requests (a lossy bus or a busy device). */
  dropResponses(n: number): void {
    this.responsesToDrop = Math.max(0, Math.floor(n));
  }

  /** Switches measuring on or off by itself, as after a device-side reset of the mode. */
  setMeasuring(on: boolean): void {
    this.measuring = on;
  }

  resume(): void {
    this.infoSilent = false;
    this.responsesSilent = false;
  }

  /** The device state, for assertions. */
  get state(): {
    locked: boolean;
    measuring: boolean;
    selfTestRunning: boolean;
    errorThresholdKOhm: number;
    warningThresholdKOhm: number;
    meanFactor: number;
    relays: readonly number[];
  } {
    return {
      locked: this.locked,
      measuring: this.measuring,
      selfTestRunning: this.selfTestRunningNow,
      errorThresholdKOhm: this.errorThresholdKOhm,
      warningThresholdKOhm: this.warningThresholdKOhm,
      meanFactor: this.meanFactor,
      relays: [...this.relays],
    };
  }

  // ------------------------------------------------------------ status words

  imcStatus(): number {
    let s = this.extraImcBits;
    if (this.systemFailure) s |= ImcBit.SystemFailure;
    if (this.selfTestRunningNow) s |= ImcBit.SelfTestRunning;
    if (this.resistanceKOhm < this.errorThresholdKOhm) s |= ImcBit.InsulationFault;
    if (this.resistanceKOhm < this.warningThresholdKOhm) s |= ImcBit.InsulationWarning;
    return s & 0xffff;
  }

  vifcStatus(): number {
    let s = this.extraVifcBits | VifcBit.ParameterSelfTestNotRun;
    if (!this.measuring) s |= VifcBit.MeasurementDeactivated;
    if (!this.measuring || this.selfTestRunningNow || this.forcedOutdated) s |= VifcBit.ResistanceOutdated;
    if (!this.overallSelfTestRun) s |= VifcBit.OverallSelfTestNotRun;
    return s & 0xffff;
  }

  private sendInfo(): void {
    if (this.infoSilent) return;
    if (this.measuring && !this.selfTestRunningNow) this.counter = (this.counter + 1) & 0xff;
    const data = encodeInfo({
      resistanceKOhm: this.resistanceKOhm,
      imcStatus: this.imcStatus(),
      vifcStatus: this.vifcStatus(),
    });
    this.transmit(this.ids.info, data);
  }

  // ------------------------------------------------------------ requests

  private onFrame(frame: CanFrame): void {
    if (frame.extended || frame.rtr || frame.id !== this.ids.request) return;
    const req = decodeCommand(frame.data);
    if (!req) return;
    this.requests.push({ ...req });
    if (this.responsesSilent) return;
    if (this.responsesToDrop > 0) {
      this.responsesToDrop -= 1;
      return;
    }
    const reply = this.handle(req.cmd, req.dw1, req.dw2);
    this.transmit(this.ids.response, reply);
  }

  private handle(cmd: number, dw1: number, dw2: number): Uint8Array {
    const ok = (a = 0, b = 0): Uint8Array => encodeCommand(cmd, a, b);
    const error = (code: number): Uint8Array => encodeErrorFrame(code, cmd);
    const injected = this.commandErrors.get(cmd);
    if (injected !== undefined) return error(injected);
    if (this.locked && SET_OR_CTL.has(cmd)) return error(ERROR_COMMAND_LOCKED);
    switch (cmd) {
      case Cmd.Ping:
        return ok();
      case Cmd.SetLock:
        if (dw1 === LOCK_UNLOCKED && dw2 === 0) this.locked = false;
        else if (dw1 === LOCK_LOCKED && dw2 === LOCK_PASSWORD) this.locked = true;
        else return error(ERROR_INVALID_PARAMETER);
        return ok(this.locked ? LOCK_LOCKED : LOCK_UNLOCKED);
      case Cmd.GetLock:
        return ok(this.locked ? LOCK_LOCKED : LOCK_UNLOCKED);
      case Cmd.SetMeasurement:
        if (dw1 > 1) return error(ERROR_INVALID_PARAMETER);
        this.measuring = dw1 === 1;
        return ok(dw1);
      case Cmd.SetErrorThreshold:
        if (dw1 < ERROR_THRESHOLD_KOHM.min || dw1 > ERROR_THRESHOLD_KOHM.max) return error(ERROR_INVALID_PARAMETER);
        this.errorThresholdKOhm = dw1;
        return ok(dw1);
      case Cmd.SetWarningThreshold:
        if (dw1 < WARNING_THRESHOLD_KOHM.min || dw1 > WARNING_THRESHOLD_KOHM.max) return error(ERROR_INVALID_PARAMETER);
        this.warningThresholdKOhm = dw1;
        return ok(dw1);
      case Cmd.GetErrorThreshold:
        return ok(this.errorThresholdKOhm);
      case Cmd.GetWarningThreshold:
        return ok(this.warningThresholdKOhm);
      case Cmd.SetMeanFactor:
        if (dw1 < MEAN_FACTOR.min || dw1 > MEAN_FACTOR.max) return error(ERROR_INVALID_PARAMETER);
        this.meanFactor = dw1;
        return ok(dw1);
      case Cmd.GetMeanFactor:
        return ok(this.meanFactor);
      case Cmd.GetResistance: {
        const r = encodeCommand(cmd, this.resistanceKOhm, 0);
        r[3] = 0; // bias: none
        r[4] = this.counter;
        return r;
      }
      case Cmd.GetHv1:
        return ok(this.hv1V);
      case Cmd.GetHv2:
        return ok(this.hv2V);
      case Cmd.GetImcStatus:
        return ok(this.imcStatus(), this.ext);
      case Cmd.GetVifcStatus:
        return ok(this.vifcStatus());
      case Cmd.GetTestCount:
        return ok(this.testCount);
      case Cmd.SetHvRelay:
        if (dw1 > 1 || dw2 > 1) return error(ERROR_INVALID_PARAMETER);
        this.relays[dw1] = dw2;
        return ok(dw1, dw2);
      case Cmd.GetHvRelay:
        if (dw1 > 1) return error(ERROR_INVALID_PARAMETER);
        return ok(dw1, this.relays[dw1]);
      case Cmd.SelfTest:
        if (dw1 !== SELF_TEST_OVERALL) return error(ERROR_INVALID_PARAMETER);
        this.startSelfTest();
        return ok(dw1);
      default:
        return error(ERROR_UNKNOWN_COMMAND);
    }
  }

  private startSelfTest(): void {
    this.testCount = (this.testCount + 1) & 0xffff;
    this.selfTestRunningNow = true;
    this.measuring = false; // the device deactivates measuring for and after the test
    if (this.selfTestTimer) clearTimeout(this.selfTestTimer);
    this.selfTestTimer = undefined;
    if (this.selfTestBehaviour === 'hang') return;
    const failing = this.selfTestBehaviour === 'fail';
    this.selfTestTimer = setTimeout(() => {
      this.selfTestTimer = undefined;
      this.selfTestRunningNow = false;
      this.overallSelfTestRun = true;
      this.ext = failing ? this.failExt : 0;
    }, this.selfTestDurationMs);
  }

  private transmit(id: number, data: Uint8Array): void {
    this.bus.send({ id, extended: false, data }).catch(() => {
      // The bus went away: the simulator just stops being heard.
    });
  }
}
