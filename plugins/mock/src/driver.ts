import { AbortedError, type Driver, type DriverContext } from '@imd-host/sdk';
import type { MockOptions, MockValues, ScenarioStep } from './options';

/** Why a scenario cannot run, or undefined. */
export function scenarioProblem(options: MockOptions): string | undefined {
  const steps = options.scenario?.steps ?? [];
  for (let i = 1; i < steps.length; i += 1) {
    if (steps[i].atMs < steps[i - 1].atMs) {
      return `scenario.steps[${i}].atMs (${steps[i].atMs}) is before steps[${i - 1}].atMs (${steps[i - 1].atMs}): steps must be in ascending atMs`;
    }
  }
  const period = options.scenario?.periodMs;
  const last = steps.at(-1)?.atMs ?? 0;
  if (options.scenario?.repeat && period !== undefined && period <= last) {
    return `scenario.periodMs (${period}) must be greater than the last step's atMs (${last})`;
  }
  return undefined;
}

/**
 * A simulated IMD. It measures every `intervalMs` while started (the first value at once),
 * runs self tests that take `selfTestDurationMs`, and plays a time-based scenario from
 * `open()` on (steps at `atMs` after open; with `repeat`, the script loops every `periodMs`,
 * default: the last step's `atMs` + `intervalMs`). A silent device sends nothing and never
 * finishes a self test: detecting that is the host's job.
 */
export class MockDriver implements Driver {
  readonly pollIntervalMs: number;
  private values: Required<Pick<MockValues, 'resistanceOhm' | 'selfTestResult' | 'selfTestDurationMs'>> & MockValues;
  private silent = false;
  private selfTestHangs = false;
  private measureTimer: NodeJS.Timeout | undefined;
  private scenarioTimer: NodeJS.Timeout | undefined;
  private readonly selfTests = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly options: MockOptions,
    private readonly ctx: DriverContext,
  ) {
    const problem = scenarioProblem(options);
    if (problem) throw new Error(problem);
    this.pollIntervalMs = options.intervalMs;
    this.values = {
      resistanceOhm: options.resistanceOhm,
      voltageV: options.voltageV,
      voltageToEarthL1eV: options.voltageToEarthL1eV,
      voltageToEarthL2eV: options.voltageToEarthL2eV,
      selfTestResult: options.selfTestResult,
      selfTestDurationMs: options.selfTestDurationMs,
    };
  }

  async open(): Promise<void> {
    const steps = this.options.scenario?.steps ?? [];
    if (steps.length > 0) this.runScenario(Date.now(), 0);
  }

  async start(): Promise<void> {
    if (this.measureTimer) return;
    this.measure();
    this.measureTimer = setInterval(() => this.measure(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.measureTimer) clearInterval(this.measureTimer);
    this.measureTimer = undefined;
  }

  selfTest(testVoltageV: number, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      if (signal.aborted) {
        reject(new AbortedError('mock self test'));
        return;
      }
      const timers: { done?: NodeJS.Timeout } = {};
      const finish = (): void => {
        clearTimeout(timers.done);
        signal.removeEventListener('abort', onAbort);
        this.selfTests.delete(onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(new AbortedError('mock self test'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.selfTests.add(onAbort);
      if (this.silent || this.selfTestHangs) {
        this.ctx.log.info({ testVoltageV }, 'mock self test hangs (silent device or selfTestHangs)');
        return;
      }
      timers.done = setTimeout(() => {
        // The result is read at the end, like a device reports it. A device that went silent
        // meanwhile never answers: the test then ends only by abort.
        if (this.silent || this.selfTestHangs) return;
        finish();
        resolve(this.values.selfTestResult);
      }, this.values.selfTestDurationMs);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
    if (this.scenarioTimer) clearTimeout(this.scenarioTimer);
    this.scenarioTimer = undefined;
    for (const abort of [...this.selfTests]) abort();
  }

  private measure(): void {
    if (this.silent) return;
    const v = this.values;
    this.ctx.measurement({
      resistanceOhm: v.resistanceOhm,
      ...(v.voltageV !== undefined ? { voltageV: v.voltageV } : {}),
      ...(v.voltageToEarthL1eV !== undefined ? { voltageToEarthL1eV: v.voltageToEarthL1eV } : {}),
      ...(v.voltageToEarthL2eV !== undefined ? { voltageToEarthL2eV: v.voltageToEarthL2eV } : {}),
      takenAt: Date.now(),
    });
  }

  /** Apply every step due at or before now, then sleep until the next one. */
  private runScenario(cycleStart: number, index: number): void {
    this.scenarioTimer = undefined;
    if (this.closed) return;
    const scenario = this.options.scenario;
    if (!scenario) return;
    const steps = scenario.steps;
    let i = index;
    while (i < steps.length && cycleStart + steps[i].atMs <= Date.now()) {
      this.apply(steps[i]);
      i += 1;
    }
    if (i < steps.length) {
      const wait = Math.max(0, cycleStart + steps[i].atMs - Date.now());
      this.scenarioTimer = setTimeout(() => this.runScenario(cycleStart, i), wait);
      return;
    }
    if (!scenario.repeat) return;
    const period = scenario.periodMs ?? (steps.at(-1)?.atMs ?? 0) + this.options.intervalMs;
    const next = cycleStart + period;
    this.scenarioTimer = setTimeout(() => this.runScenario(next, 0), Math.max(0, next - Date.now()));
  }

  private apply(step: ScenarioStep): void {
    this.ctx.log.info({ step }, 'mock scenario step');
    if ('set' in step) {
      this.values = { ...this.values, ...step.set };
    } else if ('raiseError' in step) {
      this.ctx.raiseError(step.raiseError);
    } else if ('clearError' in step) {
      this.ctx.clearError(step.clearError);
    } else if ('deviceSilent' in step) {
      this.silent = step.deviceSilent;
    } else if ('selfTestHangs' in step) {
      this.selfTestHangs = step.selfTestHangs;
    }
  }
}
