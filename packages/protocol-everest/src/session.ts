import {
  Backoff,
  type DeviceError,
  type Driver,
  type DriverContext,
  type ErrorRef,
  type Logger,
  type Measurement,
} from '@imd-host/sdk';
import type { MqttConnection } from '@imd-host/transport-mqtt';
import {
  HEARTBEAT_MAX,
  errorPayload,
  errorProblem,
  measurementPayload,
  measurementProblem,
  nextHeartbeat,
  parseCommand,
  parseHeartbeat,
  parseSelfTestVoltage,
} from './payloads';
import { moduleTopics, type ModuleTopics } from './topics';

/** Sub types of the errors the host raises by itself (as opposed to the driver). */
export const HOST_ERROR_SUBTYPES = {
  /** A driver method threw or rejected. */
  pluginFailure: 'imd-host/PluginFailure',
  /** No measurement from the driver while measuring for `noDataTimeoutMs`. */
  noData: 'imd-host/NoData',
  /** The last will: the host lost its broker connection without saying goodbye. */
  hostOffline: 'imd-host/HostOffline',
} as const;

/** The last-will error a module's connection carries; cleared on every connect. */
export function hostOfflineError(moduleId: string): DeviceError {
  return {
    type: 'CommunicationFault',
    subType: HOST_ERROR_SUBTYPES.hostOffline,
    message: `imd-host serving module ${moduleId} lost its MQTT connection unexpectedly (crash, power loss or network failure)`,
  };
}

/** Settings of one module's protocol session. */
export interface SessionConfig {
  readonly moduleId: string;
  readonly topicPrefix: string;
  /** The plugin's name, used in error messages. */
  readonly pluginName: string;
  readonly communicationCheckIntervalMs: number;
  readonly selfTestTimeoutMs: number;
  /** No measurement for this long while measuring raises CommunicationFault. Default: max(3 poll periods, 2 s). */
  readonly noDataTimeoutMs?: number;
}

/** A snapshot of one module's state, for health reporting and tests. */
export interface SessionStatus {
  readonly moduleId: string;
  readonly plugin: string;
  readonly connected: boolean;
  readonly measuring: boolean;
  readonly selfTestActive: boolean;
  readonly activeErrors: readonly DeviceError[];
  readonly lastMeasurementAt: number | undefined;
  readonly lastHeartbeat: string | undefined;
  readonly heartbeatGaps: number;
  /** Counters of what was sent to EVerest (self-test results counted when answered, also if kept while offline). */
  readonly published: {
    readonly measurements: number;
    readonly selfTestResults: number;
    readonly selfTestsPassed: number;
    readonly selfTestsFailed: number;
    readonly communicationChecks: number;
    readonly raisedErrors: number;
    readonly clearedErrors: number;
  };
  /** Counters of valid commands received from EVerest. */
  readonly received: {
    readonly start: number;
    readonly stop: number;
    readonly startSelfTest: number;
    readonly heartbeat: number;
  };
  readonly dropped: { readonly measurements: number; readonly invalidPayloads: number };
  /** Connections to the broker re-established after a loss. */
  readonly reconnects: number;
}

const errorKey = (e: ErrorRef): string => `${e.type}\u0000${e.subType ?? ''}`;

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One module's side of EVerest's isolation_monitor API v1, and the single place where its
 * rules are enforced, whatever the plugin does:
 *
 * - `communication_check` `true` every interval from connect on;
 * - no measurement while stopped, during a self test, while a DeviceFault or
 *   CommunicationFault is active, when invalid, or when older than the driver's poll period;
 * - exactly one `self_test_result` per request, `false` when the driver fails or times out;
 * - each error raised once and cleared once; after a reconnect EVerest is told the full
 *   error state again;
 * - a driver that throws or rejects becomes a CommunicationFault of this module; a driver
 *   that stops delivering measurements while measuring does too;
 * - `e2m` payloads that do not parse are logged and ignored.
 */
export class IsolationMonitorSession {
  readonly topics: ModuleTopics;
  readonly driverContext: DriverContext;
  private driver: Driver | undefined;
  private readonly log: Logger;

  private measuring = false;
  private stopping = false;
  private started = false;
  private opChain: Promise<void> = Promise.resolve();

  private readonly active = new Map<string, DeviceError>();
  /** What EVerest was last told (errors raised and not cleared), to reconcile after a reconnect. */
  private readonly told = new Map<string, DeviceError>();

  private selfTest: { abort: AbortController; timer: NodeJS.Timeout; answers: number } | undefined;

  private commCheckTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly retryBackoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });
  private lastFreshAt = 0;
  private lastMeasurementAt: number | undefined;

  private lastHeartbeat: bigint | undefined;
  private readonly pendingResults: boolean[] = [];
  private resultsHeldUntilHeartbeat = false;
  private pendingFlushTimer: NodeJS.Timeout | undefined;
  /**
   * For a few seconds after every connect, EVerest's heartbeats prove it listens again (it may
   * have resubscribed after our re-publish on connect): re-send our errors then, at most once
   * a second.
   */
  private resyncUntil = 0;
  private lastResyncAt = 0;
  private heartbeatGaps = 0;
  private publishedMeasurements = 0;
  private publishedSelfTestResults = 0;
  private selfTestsPassed = 0;
  private selfTestsFailed = 0;
  private communicationChecks = 0;
  private raisedErrors = 0;
  private clearedErrors = 0;
  private readonly receivedCounts = { start: 0, stop: 0, startSelfTest: 0, heartbeat: 0 };
  private droppedMeasurements = 0;
  private invalidPayloads = 0;
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    private readonly config: SessionConfig,
    private readonly connection: MqttConnection,
    log: Logger,
  ) {
    this.topics = moduleTopics(config.topicPrefix, config.moduleId);
    this.log = log;
    this.driverContext = {
      moduleId: config.moduleId,
      log: log.child({ plugin: config.pluginName }),
      measurement: (m) => this.onMeasurement(m),
      raiseError: (e) => this.onDriverRaise(e),
      clearError: (e) => this.onDriverClear(e),
    };
  }

  /** The driver this session serves; set once, before {@link start}. */
  attach(driver: Driver): void {
    if (this.driver) throw new Error(`module ${this.config.moduleId}: a driver is attached already`);
    this.driver = driver;
  }

  /** Subscribe, connect, start the communication check and open the driver. */
  start(): void {
    const driver = this.requireDriver();
    if (this.started) return;
    this.started = true;
    const t = this.topics;
    this.connection.subscribe([t.start, t.stop, t.startSelfTest, t.heartbeat], (topic, payload) =>
      this.onMessage(topic, payload),
    );
    this.unsubscribers.push(this.connection.onConnect(() => this.onConnect()));
    this.connection.open();
    this.commCheckTimer = setInterval(() => this.sendCommunicationCheck(), this.config.communicationCheckIntervalMs);
    this.enqueue(
      'open',
      () => driver.open(),
      () => this.scheduleRetry('open'),
    );
  }

  /** Stop measuring, answer a running self test, close the driver and disconnect cleanly. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.measuring = false;
    this.clearTimers();
    if (this.selfTest) this.finishSelfTest(false, 'host shutting down');
    for (const u of this.unsubscribers.splice(0)) u();
    const driver = this.driver;
    await this.opChain;
    if (driver && this.started) {
      const closing = (async () => {
        try {
          await driver.stop();
        } catch (err) {
          this.log.warn({ err: describe(err) }, 'driver stop failed during shutdown');
        }
        try {
          await driver.close();
        } catch (err) {
          this.log.warn({ err: describe(err) }, 'driver close failed during shutdown');
        }
      })();
      await Promise.race([closing, new Promise<void>((r) => setTimeout(r, 1200).unref())]);
    }
    await this.connection.end();
  }

  /** The module's current state. */
  status(): SessionStatus {
    return {
      moduleId: this.config.moduleId,
      plugin: this.config.pluginName,
      connected: this.connection.isConnected,
      measuring: this.measuring,
      selfTestActive: this.selfTest !== undefined,
      activeErrors: [...this.active.values()],
      lastMeasurementAt: this.lastMeasurementAt,
      lastHeartbeat: this.lastHeartbeat?.toString(),
      heartbeatGaps: this.heartbeatGaps,
      published: {
        measurements: this.publishedMeasurements,
        selfTestResults: this.publishedSelfTestResults,
        selfTestsPassed: this.selfTestsPassed,
        selfTestsFailed: this.selfTestsFailed,
        communicationChecks: this.communicationChecks,
        raisedErrors: this.raisedErrors,
        clearedErrors: this.clearedErrors,
      },
      received: { ...this.receivedCounts },
      reconnects: Math.max(0, this.connection.connectCount - 1),
      dropped: { measurements: this.droppedMeasurements, invalidPayloads: this.invalidPayloads },
    };
  }

  // ---- EVerest -> module --------------------------------------------------------------

  private onMessage(topic: string, payload: Buffer): void {
    if (this.stopping) return;
    const t = this.topics;
    if (topic === t.heartbeat) return this.onHeartbeat(payload);
    if (topic === t.startSelfTest) {
      const r = parseSelfTestVoltage(payload);
      if (!r.ok) return this.rejectPayload(topic, payload, r.reason);
      this.receivedCounts.startSelfTest += 1;
      return this.onSelfTestRequest(r.value);
    }
    if (topic === t.start || topic === t.stop) {
      const r = parseCommand(payload);
      if (!r.ok) return this.rejectPayload(topic, payload, r.reason);
      this.receivedCounts[topic === t.start ? 'start' : 'stop'] += 1;
      return topic === t.start ? this.onStart() : this.onStop();
    }
  }

  private rejectPayload(topic: string, payload: Buffer, reason: string): void {
    this.invalidPayloads += 1;
    this.log.warn(
      { topic, reason, bytes: payload.length, head: payload.subarray(0, 64).toString('utf8') },
      'ignoring invalid payload from EVerest',
    );
  }

  private onHeartbeat(payload: Buffer): void {
    const r = parseHeartbeat(payload);
    if (!r.ok) return this.rejectPayload(this.topics.heartbeat, payload, r.reason);
    this.receivedCounts.heartbeat += 1;
    const prev = this.lastHeartbeat;
    this.lastHeartbeat = r.value;
    const everestRestarted = prev !== undefined && r.value === 0n && prev !== HEARTBEAT_MAX;
    if (this.resultsHeldUntilHeartbeat) this.flushPendingResults('heartbeat from EVerest');
    const now = Date.now();
    const resync = now < this.resyncUntil && now - this.lastResyncAt >= 900;
    if ((resync || everestRestarted) && this.active.size > 0) {
      this.lastResyncAt = now;
      // After a broker restart EVerest may have resubscribed after our re-publish; after an
      // EVerest restart it has forgotten our errors. Either way: tell it again.
      this.log.info({ errors: this.active.size, everestRestarted }, 're-publishing active errors to EVerest');
      for (const e of this.active.values()) this.publishRaise(e);
    }
    if (prev !== undefined) {
      const expected = nextHeartbeat(prev);
      if (r.value !== expected) {
        this.heartbeatGaps += 1;
        this.log.warn(
          { expected: expected.toString(), received: r.value.toString(), gaps: this.heartbeatGaps },
          r.value === 0n ? 'heartbeat restarted at 0 (EVerest restarted?)' : 'heartbeat gap',
        );
      }
    } else {
      this.log.info({ heartbeat: r.value.toString() }, 'first heartbeat from EVerest');
    }
  }

  private onStart(): void {
    if (this.measuring) {
      this.log.debug('start received while measuring; ignored');
      return;
    }
    const driver = this.requireDriver();
    this.log.info('EVerest started measurements');
    this.measuring = true;
    this.lastFreshAt = Date.now();
    this.armWatchdog();
    this.enqueue(
      'start',
      () => driver.start(),
      () => this.scheduleRetry('start'),
    );
  }

  private onStop(): void {
    if (this.retryTimer && this.pendingRetry === 'start') this.cancelRetry();
    if (!this.measuring) {
      this.log.debug('stop received while stopped; ignored');
      return;
    }
    const driver = this.requireDriver();
    this.log.info('EVerest stopped measurements');
    this.measuring = false;
    this.disarmWatchdog();
    this.hostClear({ type: 'CommunicationFault', subType: HOST_ERROR_SUBTYPES.noData });
    this.enqueue('stop', () => driver.stop());
  }

  private onSelfTestRequest(voltage: number): void {
    if (this.selfTest) {
      this.selfTest.answers += 1;
      this.log.info({ voltage }, 'self test requested while one runs; it will be answered with that result');
      return;
    }
    const driver = this.requireDriver();
    const abort = new AbortController();
    const timer = setTimeout(
      () => this.finishSelfTest(false, `no result within ${this.config.selfTestTimeoutMs} ms`),
      this.config.selfTestTimeoutMs,
    );
    const current = { abort, timer, answers: 1 };
    this.selfTest = current;
    this.log.info({ voltage }, 'self test started');
    Promise.resolve()
      .then(() => driver.selfTest(voltage, abort.signal))
      .then(
        (result) => {
          if (this.selfTest !== current) {
            this.log.warn({ result }, 'driver answered the self test after it had been answered; ignored');
            return;
          }
          this.hostClear({ type: 'CommunicationFault', subType: HOST_ERROR_SUBTYPES.pluginFailure });
          if (typeof result !== 'boolean') {
            this.log.warn({ result: String(result) }, 'driver returned a non-boolean self-test result; taken as fail');
          }
          this.finishSelfTest(result === true, 'driver result');
        },
        (err: unknown) => {
          if (this.selfTest !== current) return;
          this.pluginFailed('selfTest', err);
          this.finishSelfTest(false, `driver failed: ${describe(err)}`);
        },
      );
  }

  private finishSelfTest(result: boolean, why: string): void {
    const st = this.selfTest;
    if (!st) return;
    this.selfTest = undefined;
    clearTimeout(st.timer);
    st.abort.abort();
    this.log.info({ result, why, answers: st.answers }, 'self test finished');
    for (let i = 0; i < st.answers; i += 1) this.answerSelfTest(result);
    // The device may not have measured during the test: give the watchdog a fresh start.
    this.lastFreshAt = Date.now();
  }

  /**
   * Publish one self-test result. While disconnected it is kept (never dropped: every request
   * gets its answer) and sent once EVerest is known to listen again: on its first heartbeat
   * after the reconnect, or 3 s after the reconnect when no heartbeat comes.
   */
  private answerSelfTest(result: boolean): void {
    this.publishedSelfTestResults += 1;
    if (result) this.selfTestsPassed += 1;
    else this.selfTestsFailed += 1;
    if (this.connection.isConnected && !this.resultsHeldUntilHeartbeat) {
      this.connection.publish(this.topics.selfTestResult, result ? 'true' : 'false', { qos: 1, whenOffline: 'queue' });
      return;
    }
    this.pendingResults.push(result);
    this.log.info({ result, pending: this.pendingResults.length }, 'self-test result kept until EVerest listens again');
  }

  private flushPendingResults(why: string): void {
    if (this.pendingFlushTimer) clearTimeout(this.pendingFlushTimer);
    this.pendingFlushTimer = undefined;
    this.resultsHeldUntilHeartbeat = false;
    if (this.pendingResults.length === 0 || !this.connection.isConnected) return;
    this.log.info({ count: this.pendingResults.length, why }, 'sending kept self-test results');
    for (const r of this.pendingResults.splice(0)) {
      this.connection.publish(this.topics.selfTestResult, r ? 'true' : 'false', { qos: 1, whenOffline: 'queue' });
    }
  }

  // ---- driver -> module ---------------------------------------------------------------

  private onMeasurement(m: Measurement): void {
    const problem = measurementProblem(m);
    if (problem) {
      this.droppedMeasurements += 1;
      this.log.warn({ problem }, 'driver reported an invalid measurement; dropped');
      return;
    }
    const now = Date.now();
    const age = now - (m.takenAt ?? now);
    const maxAge = this.requireDriver().pollIntervalMs;
    if (age > maxAge || age < -1000) {
      this.droppedMeasurements += 1;
      this.log.warn({ ageMs: age, maxAgeMs: maxAge }, 'stale measurement dropped');
      return;
    }
    if (!this.measuring || this.stopping) {
      this.droppedMeasurements += 1;
      return;
    }
    // The driver delivers: whatever the host had concluded about it no longer holds.
    this.lastFreshAt = now;
    if (this.active.size > 0) {
      this.hostClear({ type: 'CommunicationFault', subType: HOST_ERROR_SUBTYPES.noData });
      this.hostClear({ type: 'CommunicationFault', subType: HOST_ERROR_SUBTYPES.pluginFailure });
    }
    if (this.selfTest) {
      this.droppedMeasurements += 1;
      return;
    }
    if (this.blockingErrorActive()) {
      this.droppedMeasurements += 1;
      return;
    }
    if (
      this.connection.publish(this.topics.isolationMeasurement, measurementPayload(m), { qos: 0, whenOffline: 'drop' })
    ) {
      this.publishedMeasurements += 1;
      this.lastMeasurementAt = now;
    } else {
      this.droppedMeasurements += 1;
    }
  }

  private blockingErrorActive(): boolean {
    for (const e of this.active.values()) {
      if (e.type === 'DeviceFault' || e.type === 'CommunicationFault') return true;
    }
    return false;
  }

  private onDriverRaise(e: DeviceError): void {
    const problem = errorProblem(e);
    if (problem) {
      this.log.warn({ problem }, 'driver raised an invalid error; ignored');
      return;
    }
    if (e.subType?.startsWith('imd-host/')) {
      this.log.warn({ subType: e.subType }, 'sub types starting with imd-host/ are reserved for the host; ignored');
      return;
    }
    this.raise({ type: e.type, subType: e.subType, message: e.message });
  }

  private onDriverClear(e: ErrorRef): void {
    const problem = errorProblem(e);
    if (problem) {
      this.log.warn({ problem }, 'driver cleared an invalid error; ignored');
      return;
    }
    if (e.subType?.startsWith('imd-host/')) return;
    this.clear({ type: e.type, subType: e.subType });
  }

  // ---- errors -------------------------------------------------------------------------

  private hostClear(ref: ErrorRef): void {
    if (this.active.has(errorKey(ref))) this.clear(ref);
  }

  private raise(e: DeviceError): void {
    const key = errorKey(e);
    if (this.active.has(key)) return;
    this.active.set(key, e);
    this.log.warn({ type: e.type, subType: e.subType, message: e.message }, 'error raised');
    if (this.stopping || !this.connection.isConnected) return;
    this.publishRaise(e);
  }

  private clear(ref: ErrorRef): void {
    const key = errorKey(ref);
    if (!this.active.delete(key)) return;
    this.log.info({ type: ref.type, subType: ref.subType }, 'error cleared');
    if (this.stopping || !this.connection.isConnected) return;
    this.publishClear(ref);
  }

  private publishRaise(e: DeviceError): void {
    this.told.set(errorKey(e), e);
    this.raisedErrors += 1;
    this.connection.publish(this.topics.raiseError, errorPayload(e), { qos: 1, whenOffline: 'queue' });
  }

  private publishClear(ref: ErrorRef): void {
    this.clearedErrors += 1;
    this.connection.publish(this.topics.clearError, errorPayload(ref), { qos: 1, whenOffline: 'queue' });
    if (ref.subType !== undefined) {
      this.told.delete(errorKey(ref));
      return;
    }
    // EVerest clears every sub type of the type when no sub type is given: tell it again
    // about those that are still active.
    for (const [k, e] of this.told) if (e.type === ref.type) this.told.delete(k);
    for (const e of this.active.values()) if (e.type === ref.type) this.publishRaise(e);
  }

  // ---- connection ---------------------------------------------------------------------

  private onConnect(): void {
    if (this.stopping) return;
    // What our last will may have raised is not true any more.
    this.connection.publish(this.topics.clearError, errorPayload(hostOfflineError(this.config.moduleId)), {
      qos: 1,
      whenOffline: 'drop',
    });
    this.sendCommunicationCheck();
    this.resyncUntil = Date.now() + 3000;
    if (this.pendingResults.length > 0) {
      this.resultsHeldUntilHeartbeat = true;
      if (this.pendingFlushTimer) clearTimeout(this.pendingFlushTimer);
      this.pendingFlushTimer = setTimeout(() => this.flushPendingResults('no heartbeat within 3 s'), 3000);
    }
    this.lastResyncAt = Date.now();
    // Reconcile EVerest's view of our errors (a broker or EVerest restart loses them).
    for (const [k, e] of [...this.told]) {
      if (!this.active.has(k)) this.publishClear({ type: e.type, subType: e.subType });
    }
    for (const e of this.active.values()) this.publishRaise(e);
  }

  private sendCommunicationCheck(): void {
    if (this.stopping) return;
    if (this.connection.publish(this.topics.communicationCheck, 'true', { qos: 0, whenOffline: 'drop' })) {
      this.communicationChecks += 1;
    }
  }

  // ---- driver calls -------------------------------------------------------------------

  private pendingRetry: 'open' | 'start' | undefined;

  private enqueue(op: 'open' | 'start' | 'stop', call: () => Promise<void>, onFailure?: () => void): void {
    this.opChain = this.opChain.then(async () => {
      if (this.stopping) return;
      if (op === 'start' && !this.measuring) return;
      try {
        await call();
        this.retryBackoff.reset();
        this.hostClear({ type: 'CommunicationFault', subType: HOST_ERROR_SUBTYPES.pluginFailure });
      } catch (err) {
        this.pluginFailed(op, err);
        onFailure?.();
      }
    });
  }

  private pluginFailed(op: string, err: unknown): void {
    const message = `plugin ${this.config.pluginName}: ${op} failed: ${describe(err)}`;
    this.log.error({ op, err: describe(err) }, 'driver call failed');
    this.raise({ type: 'CommunicationFault', subType: HOST_ERROR_SUBTYPES.pluginFailure, message });
  }

  private scheduleRetry(op: 'open' | 'start'): void {
    if (this.stopping || this.retryTimer) return;
    const driver = this.requireDriver();
    const wait = this.retryBackoff.next();
    this.pendingRetry = op;
    this.log.info({ op, inMs: wait }, 'driver call will be retried');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pendingRetry = undefined;
      if (op === 'open')
        this.enqueue(
          'open',
          () => driver.open(),
          () => this.scheduleRetry('open'),
        );
      else if (this.measuring)
        this.enqueue(
          'start',
          () => driver.start(),
          () => this.scheduleRetry('start'),
        );
    }, wait);
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pendingRetry = undefined;
  }

  // ---- no-data watchdog ---------------------------------------------------------------

  private noDataTimeoutMs(): number {
    return this.config.noDataTimeoutMs ?? Math.max(3 * this.requireDriver().pollIntervalMs, 2000);
  }

  /**
   * One timer per module, due when the last fresh measurement turns `timeout` old: while data
   * flows it wakes about once per timeout (not several times a second), and a silence is
   * reported 1 ms after the limit.
   */
  private armWatchdog(): void {
    if (this.watchdogTimer) return;
    this.scheduleWatchdog(this.noDataTimeoutMs() + 1);
  }

  private scheduleWatchdog(delayMs: number): void {
    this.watchdogTimer = setTimeout(() => this.checkWatchdog(), delayMs);
  }

  private checkWatchdog(): void {
    this.watchdogTimer = undefined;
    const timeout = this.noDataTimeoutMs();
    if (!this.measuring || this.stopping) return; // armed again by the next e2m/start
    if (this.selfTest) {
      this.scheduleWatchdog(timeout + 1); // the self test's end gives lastFreshAt a fresh start
      return;
    }
    const silentFor = Date.now() - this.lastFreshAt;
    if (silentFor > timeout) {
      this.raise({
        type: 'CommunicationFault',
        subType: HOST_ERROR_SUBTYPES.noData,
        message: `plugin ${this.config.pluginName}: no measurement for ${silentFor} ms (limit ${timeout} ms)`,
      });
      this.scheduleWatchdog(timeout + 1);
    } else {
      this.scheduleWatchdog(timeout - silentFor + 1);
    }
  }

  private disarmWatchdog(): void {
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }

  private clearTimers(): void {
    if (this.pendingFlushTimer) clearTimeout(this.pendingFlushTimer);
    this.pendingFlushTimer = undefined;
    if (this.commCheckTimer) clearInterval(this.commCheckTimer);
    this.commCheckTimer = undefined;
    this.disarmWatchdog();
    this.cancelRetry();
  }

  private requireDriver(): Driver {
    if (!this.driver) throw new Error(`module ${this.config.moduleId}: no driver attached`);
    return this.driver;
  }
}
