import type { SessionStatus } from '@imd-host/protocol-everest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_TYPES } from './api-schemas';

const UINT64_MOD = 1n << 64n;

interface Previous {
  status: SessionStatus;
  invalidPayloads: number;
  droppedMeasurements: number;
  heartbeatGaps: number;
  heartbeat: bigint | undefined;
  connected: boolean;
  everConnected: boolean;
  measuring: boolean;
  selfTestActive: boolean;
  errors: Set<string>;
}

const errorKey = (e: { type: string; subType?: string }): string => `${e.type}\u0000${e.subType ?? ''}`;

/** How many ids a heartbeat advanced (wrap-around aware); an EVerest restart (back to 0 or lower) counts 1. */
export function heartbeatAdvance(prev: bigint | undefined, next: bigint | undefined): number {
  if (next === undefined || next === prev) return 0;
  if (prev === undefined) return 1;
  const diff = (next - prev + UINT64_MOD) % UINT64_MOD;
  // A jump of more than a day's worth of heartbeats is not a sequence: EVerest restarted.
  return diff <= 100_000n ? Number(diff) : 1;
}

/**
 * The host's Prometheus metrics in a private registry, computed from `ImdHost.status()` samples:
 * counters are the deltas of the session's counters and of its state between samples.
 */
export class OpsMetrics {
  readonly registry = new Registry();
  private readonly prev = new Map<string, Previous>();

  private readonly published = new Counter({
    name: 'imd_m2e_published_total',
    help: 'Messages published to EVerest, by module and kind',
    labelNames: ['module', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly received = new Counter({
    name: 'imd_e2m_received_total',
    help: 'Valid messages from EVerest, by module and kind',
    labelNames: ['module', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly invalid = new Counter({
    name: 'imd_e2m_invalid_payloads_total',
    help: 'Payloads from EVerest that did not parse and were ignored',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  private readonly dropped = new Counter({
    name: 'imd_measurements_dropped_total',
    help: 'Measurements from the driver not published (stopped, self test, fault, invalid or stale)',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  private readonly heartbeatGaps = new Counter({
    name: 'imd_heartbeat_gaps_total',
    help: 'Heartbeats from EVerest that skipped ids',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  private readonly selfTests = new Counter({
    name: 'imd_self_tests_total',
    help: 'Self tests answered (one self_test_result each), by result (passed, failed)',
    labelNames: ['module', 'result'] as const,
    registers: [this.registry],
  });
  private readonly reconnects = new Counter({
    name: 'imd_mqtt_reconnects_total',
    help: 'Connections to the broker re-established after a loss',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  private readonly connected = new Gauge({
    name: 'imd_mqtt_connected',
    help: '1 while the module is connected to the broker',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  private readonly measuring = new Gauge({
    name: 'imd_measuring',
    help: '1 while EVerest has started measurements',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  private readonly activeErrors = new Gauge({
    name: 'imd_active_errors',
    help: 'Errors currently raised towards EVerest, by module and type',
    labelNames: ['module', 'type'] as const,
    registers: [this.registry],
  });
  private readonly measurementAge = new Gauge({
    name: 'imd_last_measurement_age_seconds',
    help: 'Seconds since the last measurement was published (absent before the first)',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });
  /**
   * Device request latency. Registered for plugins to feed (see the README); nothing observes it
   * yet, so it renders without samples.
   */
  readonly deviceRequestSeconds = new Histogram({
    name: 'imd_device_request_seconds',
    help: 'Latency of requests to the device (fed by plugins that report it)',
    labelNames: ['module', 'request'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Update every metric from a status sample taken at `now`. */
  sample(statuses: readonly SessionStatus[], now: number): void {
    const seen = new Set<string>();
    for (const s of statuses) {
      seen.add(s.moduleId);
      this.sampleModule(s, now);
    }
    for (const id of [...this.prev.keys()]) {
      if (seen.has(id)) continue;
      // The module was removed (reload): its gauges go; counters keep their totals.
      this.prev.delete(id);
      this.connected.remove({ module: id });
      this.measuring.remove({ module: id });
      this.measurementAge.remove({ module: id });
      for (const type of ERROR_TYPES) this.activeErrors.remove({ module: id, type });
    }
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private sampleModule(s: SessionStatus, now: number): void {
    const module = s.moduleId;
    const heartbeat = s.lastHeartbeat === undefined ? undefined : BigInt(s.lastHeartbeat);
    const errors = new Set(s.activeErrors.map(errorKey));
    const p = this.prev.get(module);
    // A counter lower than before means the module restarted (reload): count from zero again.
    const delta = (cur: number, before: number | undefined): number =>
      before === undefined || cur < before ? cur : cur - before;
    // Incrementing by 0 makes the series appear (at 0) from the first sample on.
    const inc = (c: Counter<'module'>, n: number): void => c.inc({ module }, Math.max(0, n));
    const incKind = (c: Counter<'module' | 'kind'>, kind: string, n: number): void =>
      c.inc({ module, kind }, Math.max(0, n));

    const ps = p?.status;
    incKind(this.published, 'isolation_measurement', delta(s.published.measurements, ps?.published.measurements));
    incKind(this.published, 'self_test_result', delta(s.published.selfTestResults, ps?.published.selfTestResults));
    incKind(
      this.published,
      'communication_check',
      delta(s.published.communicationChecks, ps?.published.communicationChecks),
    );
    incKind(this.published, 'raise_error', delta(s.published.raisedErrors, ps?.published.raisedErrors));
    incKind(this.published, 'clear_error', delta(s.published.clearedErrors, ps?.published.clearedErrors));
    this.selfTests.inc(
      { module, result: 'passed' },
      Math.max(0, delta(s.published.selfTestsPassed, ps?.published.selfTestsPassed)),
    );
    this.selfTests.inc(
      { module, result: 'failed' },
      Math.max(0, delta(s.published.selfTestsFailed, ps?.published.selfTestsFailed)),
    );
    inc(this.invalid, delta(s.dropped.invalidPayloads, p?.invalidPayloads));
    inc(this.dropped, delta(s.dropped.measurements, p?.droppedMeasurements));
    inc(this.heartbeatGaps, delta(s.heartbeatGaps, p?.heartbeatGaps));
    incKind(this.received, 'heartbeat', delta(s.received.heartbeat, ps?.received.heartbeat));
    incKind(this.received, 'start', delta(s.received.start, ps?.received.start));
    incKind(this.received, 'stop', delta(s.received.stop, ps?.received.stop));
    incKind(this.received, 'start_self_test', delta(s.received.startSelfTest, ps?.received.startSelfTest));
    inc(this.reconnects, delta(s.reconnects, ps?.reconnects));

    this.connected.set({ module }, s.connected ? 1 : 0);
    this.measuring.set({ module }, s.measuring ? 1 : 0);
    for (const type of ERROR_TYPES) {
      this.activeErrors.set({ module, type }, s.activeErrors.filter((e) => e.type === type).length);
    }
    if (s.lastMeasurementAt === undefined) this.measurementAge.remove({ module });
    else this.measurementAge.set({ module }, Math.max(0, now - s.lastMeasurementAt) / 1000);

    this.prev.set(module, {
      status: s,
      invalidPayloads: s.dropped.invalidPayloads,
      droppedMeasurements: s.dropped.measurements,
      heartbeatGaps: s.heartbeatGaps,
      heartbeat,
      connected: s.connected,
      everConnected: (p?.everConnected ?? false) || s.connected,
      measuring: s.measuring,
      selfTestActive: s.selfTestActive,
      errors,
    });
  }
}
