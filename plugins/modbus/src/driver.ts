import {
  FailureCounter,
  PollLoop,
  delay,
  type DeviceError,
  type Driver,
  type DriverContext,
  type Measurement,
} from '@imd-host/sdk';
import type ModbusRTU from 'modbus-serial';
import { ModbusRequestError, acquireLine, releaseLine, type ModbusLine } from './line';
import type { ModbusOptions } from './options';
import {
  decodeValue,
  holds,
  maskedValue,
  pollReads,
  selfTestReads,
  type ReadBlock,
  type RegisterMap,
  type RegisterSnapshot,
  type RegisterWrite,
  type StatusRule,
} from './register-map';

const errKey = (e: { type: string; subType?: string }): string => `${e.type}\u0000${e.subType ?? ''}`;

/**
 * A Modbus IMD described by a register map. While started it polls values and status; while
 * stopped it checks the device's presence every `idleCheckIntervalMs`, so a dead link shows
 * before EVerest needs the device. `commFaultAfterFailures` failed requests in a row raise
 * CommunicationFault; the first good answer clears it.
 */
export class ModbusDriver implements Driver {
  readonly pollIntervalMs: number;
  private line: ModbusLine | undefined;
  private readonly failures: FailureCounter;
  private lastFailure = '';
  private idle: PollLoop | undefined;
  private poller: PollLoop | undefined;
  private readonly statusErrors = new Map<string, DeviceError>();
  private selfTestRunning = false;
  private startWritesPending = false;
  private closed = false;
  private readonly reads: ReadBlock[];
  private readonly requestBudgetMs: number;

  constructor(
    private readonly options: ModbusOptions,
    private readonly map: RegisterMap,
    private readonly ctx: DriverContext,
  ) {
    this.pollIntervalMs = options.pollIntervalMs;
    this.failures = new FailureCounter(options.commFaultAfterFailures);
    this.reads = pollReads(map);
    this.requestBudgetMs = (options.timeoutMs + 50) * (options.retries + 1);
  }

  async open(): Promise<void> {
    this.line = acquireLine(this.options.connection, this.ctx.log);
    this.startIdle();
  }

  async start(): Promise<void> {
    await this.stopIdle();
    this.startWritesPending = (this.map.onStart?.length ?? 0) > 0;
    if (this.poller) return;
    this.poller = new PollLoop({
      intervalMs: this.options.pollIntervalMs,
      timeoutMs: this.requestBudgetMs * (this.reads.length + (this.map.onStart?.length ?? 0)) + 100,
      poll: () => this.poll(),
      onError: (err) => this.failed(err),
    });
    this.poller.start();
  }

  async stop(): Promise<void> {
    const p = this.poller;
    this.poller = undefined;
    await p?.stop();
    this.startWritesPending = false;
    for (const w of this.map.onStop ?? []) {
      try {
        await this.write(w);
      } catch (err) {
        this.failed(err);
      }
    }
    if (!this.closed) this.startIdle();
  }

  async selfTest(testVoltageV: number, signal: AbortSignal): Promise<boolean> {
    const spec = this.map.selfTest;
    if (!spec) {
      this.ctx.log.warn('this register map defines no self test: answering fail');
      return false;
    }
    this.selfTestRunning = true;
    const deadline = Date.now() + spec.timeoutMs;
    try {
      this.ctx.log.info({ testVoltageV }, 'modbus self test: trigger');
      await this.write(spec.trigger);
      let seenRunning = false;
      const reads = selfTestReads(spec);
      while (Date.now() < deadline && !signal.aborted) {
        await delay(Math.min(spec.pollMs ?? 250, Math.max(0, deadline - Date.now())), signal).catch(() => undefined);
        if (signal.aborted) break;
        let snap: RegisterSnapshot;
        try {
          snap = await this.readBlocks(reads);
          this.succeeded();
        } catch (err) {
          this.failed(err);
          continue;
        }
        if (holds(spec.running, snap)) seenRunning = true;
        else if (seenRunning) {
          const failed = spec.failedWhen.some((c) => holds(c, snap));
          this.ctx.log.info({ passed: !failed }, 'modbus self test finished');
          return !failed;
        }
      }
      this.ctx.log.warn({ timeoutMs: spec.timeoutMs, aborted: signal.aborted }, 'modbus self test: no result');
      return false;
    } finally {
      this.selfTestRunning = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.poller;
    this.poller = undefined;
    await p?.stop();
    await this.stopIdle();
    if (this.line) await releaseLine(this.line);
    this.line = undefined;
  }

  // ---- polling ----------------------------------------------------------------------------

  private async poll(): Promise<void> {
    if (this.selfTestRunning) return;
    if (this.startWritesPending) {
      for (const w of this.map.onStart ?? []) await this.write(w);
      this.startWritesPending = false;
    }
    const snap = await this.readBlocks(this.reads);
    const takenAt = Date.now();
    this.succeeded();
    const blocked = this.applyStatus(snap);
    if (blocked || this.selfTestRunning || !this.poller) return;
    const v = this.map.values;
    const resistanceOhm = decodeValue(v.resistance, snap);
    if (resistanceOhm === undefined || resistanceOhm < 0) return;
    const m: { -readonly [K in keyof Measurement]: Measurement[K] } = { resistanceOhm, takenAt };
    const voltageV = v.voltage && decodeValue(v.voltage, snap);
    const l1 = v.voltageL1e && decodeValue(v.voltageL1e, snap);
    const l2 = v.voltageL2e && decodeValue(v.voltageL2e, snap);
    if (voltageV !== undefined) m.voltageV = voltageV;
    if (l1 !== undefined) m.voltageToEarthL1eV = l1;
    if (l2 !== undefined) m.voltageToEarthL2eV = l2;
    this.ctx.measurement(m);
  }

  /** Raise and clear the errors the status words say; true when no value may be published. */
  private applyStatus(snap: RegisterSnapshot): boolean {
    let blocked = false;
    const now = new Map<string, DeviceError>();
    for (const rule of this.map.status) {
      if (!holds(rule, snap)) continue;
      if (rule.effect === 'invalid') {
        blocked = true;
        continue;
      }
      blocked = true;
      const e = this.errorFor(rule, snap);
      now.set(errKey(e), e);
    }
    for (const [k, e] of now) {
      if (!this.statusErrors.has(k)) {
        this.statusErrors.set(k, e);
        this.ctx.raiseError(e);
      }
    }
    for (const [k, e] of [...this.statusErrors]) {
      if (!now.has(k)) {
        this.statusErrors.delete(k);
        this.ctx.clearError({ type: e.type, subType: e.subType });
      }
    }
    return blocked;
  }

  private errorFor(rule: StatusRule, snap: RegisterSnapshot): DeviceError {
    const code = maskedValue(rule, snap);
    const text = rule.codes?.[String(code)];
    const subType = rule.codeAsSubType ? String(code) : rule.subType;
    const message = [rule.message, text ? `${text} (code ${code})` : rule.codes ? `code ${code}` : undefined]
      .filter(Boolean)
      .join(': ');
    return { type: rule.effect as DeviceError['type'], subType, message: message || undefined };
  }

  // ---- presence check while stopped ------------------------------------------------------

  private startIdle(): void {
    if (this.idle || this.closed) return;
    const p = this.map.presence;
    this.idle = new PollLoop({
      intervalMs: this.options.idleCheckIntervalMs,
      timeoutMs: this.requestBudgetMs + 100,
      poll: async () => {
        if (this.selfTestRunning) return;
        await this.readBlocks([{ function: p.function, start: p.address, count: 1 }]);
        this.succeeded();
      },
      onError: (err) => this.failed(err),
    });
    this.idle.start();
  }

  private async stopIdle(): Promise<void> {
    const i = this.idle;
    this.idle = undefined;
    await i?.stop();
  }

  // ---- requests and failure accounting ---------------------------------------------------

  private requireLine(): ModbusLine {
    if (!this.line) throw new Error('modbus driver is not open');
    return this.line;
  }

  private async readBlocks(blocks: readonly ReadBlock[]): Promise<RegisterSnapshot> {
    const holding = new Map<number, number>();
    const input = new Map<number, number>();
    const line = this.requireLine();
    for (const b of blocks) {
      const data = await line.request(
        this.options.unitId,
        this.options.timeoutMs,
        this.options.retries,
        `read ${b.function} ${b.start}+${b.count}`,
        (c: ModbusRTU) =>
          b.function === 'holding' ? c.readHoldingRegisters(b.start, b.count) : c.readInputRegisters(b.start, b.count),
      );
      if (!data.data || data.data.length < b.count)
        throw new Error(`short response to ${b.function} ${b.start}+${b.count}`);
      const table = b.function === 'holding' ? holding : input;
      data.data.forEach((w, i) => table.set(b.start + i, w & 0xffff));
    }
    return { holding, input };
  }

  private async write(w: RegisterWrite): Promise<void> {
    await this.requireLine().request(
      this.options.unitId,
      this.options.timeoutMs,
      this.options.retries,
      `write ${w.address}=${w.value}`,
      async (c: ModbusRTU) => {
        if ((w.function ?? 'multiple') === 'single') await c.writeRegister(w.address, w.value);
        else await c.writeRegisters(w.address, [w.value]);
      },
    );
  }

  private succeeded(): void {
    if (this.failures.success()) {
      this.ctx.log.info({ line: this.line?.description }, 'modbus device answers again');
      this.ctx.clearError({ type: 'CommunicationFault', subType: 'Modbus' });
    }
  }

  private failed(err: unknown): void {
    this.lastFailure = err instanceof Error ? err.message : String(err);
    this.ctx.log.debug({ err: this.lastFailure, failures: this.failures.failures + 1 }, 'modbus request failed');
    // A line that cannot be opened at all (no such port, busy, refused) is not worth N tries.
    let tripped = this.failures.failure();
    if (err instanceof ModbusRequestError && err.kind === 'open')
      while (!this.failures.isTripped) tripped = this.failures.failure();
    if (tripped) {
      this.ctx.raiseError({
        type: 'CommunicationFault',
        subType: 'Modbus',
        message: `${this.options.commFaultAfterFailures} failed requests in a row; last: ${this.lastFailure}`,
      });
    }
  }
}
