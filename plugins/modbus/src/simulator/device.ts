import { encodeRaw } from '../register-map';

/** What a test or an integrator can change in a simulated device. */
export interface SimulatedState {
  resistanceOhm: number;
  voltageV: number;
  voltageL1eV: number;
  voltageL2eV: number;
  /** The device reports a device fault (vendor code for devices that have one). */
  deviceFault: number;
  /** The measured values are marked invalid. */
  invalid: boolean;
  /** How a self test ends: pass, fail (device fault afterwards), or hang (never starts). */
  selfTest: 'pass' | 'fail' | 'hang';
  selfTestDurationMs: number;
  /** No answer at all (as if unplugged). */
  silent: boolean;
}

/** One simulated IMD behind a unit id, with the register semantics of its preset. */
export interface SimulatedDevice {
  readonly state: SimulatedState;
  readHolding(address: number): number;
  readInput(address: number): number;
  write(address: number, value: number): void;
  /** Stop timers. */
  dispose(): void;
}

export const defaultState = (): SimulatedState => ({
  resistanceOhm: 1_500_000,
  voltageV: 400,
  voltageL1eV: 200,
  voltageL2eV: -200,
  deviceFault: 0,
  invalid: false,
  selfTest: 'pass',
  selfTestDurationMs: 1000,
  silent: false,
});

/** Exception 2 (illegal data address) for registers the device does not have. */
export class IllegalAddress extends Error {
  readonly modbusErrorCode = 2;
  constructor(address: number) {
    super(`illegal data address ${address}`);
  }
}

const f32 = (v: number): number[] => encodeRaw({ type: 'float32', wordOrder: 'big' }, v);

/**
 * The self-test sequence both devices share: "running" for `selfTestDurationMs`, then pass, or
 * fail with the device fault code `failCode`; `hang` never starts.
 */
abstract class SelfTestingDevice {
  readonly state: SimulatedState = defaultState();
  protected testUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  protected get selfTestRunning(): boolean {
    return Date.now() < this.testUntil;
  }

  protected startSelfTest(failCode: number): void {
    const s = this.state;
    if (s.selfTest === 'hang') return;
    this.testUntil = Date.now() + s.selfTestDurationMs;
    clearTimeout(this.timer);
    // The result shows just before the "running" indication ends, as on the devices.
    this.timer = setTimeout(
      () => {
        if (s.selfTest === 'fail') s.deviceFault = failCode;
      },
      Math.max(0, s.selfTestDurationMs - 20),
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Bender isoCHA425HV: FC03 channels [float hi, float lo, status, code]; 8005 = 0x5445 starts a self test. */
export class BenderIsoCha425Sim extends SelfTestingDevice implements SimulatedDevice {
  private readonly params = new Map<number, number>();

  readHolding(a: number): number {
    const s = this.state;
    const channel = (base: number, value: number, unit: number, code: number): number | undefined => {
      if (a < base || a > base + 3) return undefined;
      if (a - base < 2) return f32(value)[a - base];
      if (a - base === 3) return code;
      const alarm = s.deviceFault ? 2 : 0;
      const testing = this.selfTestRunning ? 2 : 0;
      const validity = s.invalid ? 3 : 0;
      return (((testing << 6) | alarm) << 8) | (validity << 6) | unit;
    };
    const v =
      channel(1000, s.resistanceOhm, 2, s.deviceFault ? 102 : 71) ??
      channel(1008, s.voltageV, 4, 76) ??
      channel(1016, s.voltageL1eV, 4, 76) ??
      channel(1020, s.voltageL2eV, 4, 76);
    if (v !== undefined) return v;
    if (a >= 9800 && a < 9810) {
      const name = 'isoCHA425HV-SIM'.padEnd(20);
      return (name.charCodeAt((a - 9800) * 2) << 8) | name.charCodeAt((a - 9800) * 2 + 1);
    }
    if (a === 9820) return 1;
    if (a === 9821) return 510; // firmware 5.10
    if (a >= 1004 && a <= 1035) return 0;
    if (a >= 3000 && a <= 3028) return this.params.get(a) ?? 0;
    throw new IllegalAddress(a);
  }

  readInput(a: number): number {
    throw new IllegalAddress(a);
  }

  write(a: number, value: number): void {
    if (a === 8005 && value === 0x5445) return this.startSelfTest(1);
    if (a >= 3000 && a <= 3028) {
      this.params.set(a, value);
      return;
    }
    if (a >= 8003 && a <= 8006) return;
    throw new IllegalAddress(a);
  }
}

/** Dold RN 5893: FC04 fault (0), state (1), R in 100 Ohm (2000), U (2002); control word 1 (holding 0). */
export class DoldRn5893Sim extends SelfTestingDevice implements SimulatedDevice {
  private control = 0x0100;
  private readonly config = new Map<number, number>();

  readInput(a: number): number {
    const s = this.state;
    switch (a) {
      case 0:
        return s.deviceFault;
      case 1:
        if (this.selfTestRunning) return 3;
        if (s.deviceFault) return 2;
        if (s.invalid) return 2;
        if (this.control & 0x0100) return 5;
        return s.resistanceOhm < 100_000 ? 6 : 1;
      case 2000:
        return s.resistanceOhm > 2_000_000 ? 0xffff : Math.round(s.resistanceOhm / 100);
      case 2001:
        return 0;
      case 2002:
        return s.voltageV < 0 || s.voltageV > 0xfffe ? 0xffff : Math.round(s.voltageV);
      default:
        throw new IllegalAddress(a);
    }
  }

  readHolding(a: number): number {
    if (a === 0) return this.control;
    if (a === 1 || a === 2) return this.config.get(a) ?? 0;
    if (a >= 2000 && a <= 2010) return this.config.get(a) ?? 1;
    throw new IllegalAddress(a);
  }

  write(a: number, value: number): void {
    if (a === 0) {
      if (value & 0x0001) this.state.deviceFault = 0;
      if (value & 0x0010) this.startSelfTest(3); // 3: internal failure in test mode
      this.control = value & ~0x0011;
      return;
    }
    if (a === 1 || a === 2 || (a >= 2000 && a <= 2010)) {
      this.config.set(a, value);
      return;
    }
    throw new IllegalAddress(a);
  }
}

/** Simulators by preset name. */
export const DEVICE_SIMULATORS: Readonly<Record<string, () => SimulatedDevice>> = {
  'bender-isocha425hv': () => new BenderIsoCha425Sim(),
  'dold-rn5893': () => new DoldRn5893Sim(),
};
