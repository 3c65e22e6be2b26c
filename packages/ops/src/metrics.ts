import type { SessionStatus } from '@imd-host/protocol-everest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_TYPES } from './api-schemas';

const UINT64_MOD = 1n << 64n;

interface Previous {
  measurements: number;
  selfTestResults: number;
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
    help: 'Messages published to EVerest, by module and kind (isolation_measurement and self_test_result from the session counters; raise_error/clear_error: error state changes)',
    labelNames: ['module', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly received = new Counter({
    name: 'imd_e2m_received_total',
    help: 'Messages from EVerest, by module and kind (heartbeat: from the id sequence; start, stop, start_self_test: from the state changes they caused, seen between samples)',
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
    help: 'Self tests answered (one self_test_result each); the session does not expose the result value yet',
    labelNames: ['module'] as const,
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

    incKind(this.published, 'isolation_measurement', delta(s.published.measurements, p?.measurements));
    incKind(this.published, 'self_test_result', delta(s.published.selfTestResults, p?.selfTestResults));
    inc(this.selfTests, delta(s.published.selfTestResults, p?.selfTestResults));
    incKind(this.published, 'raise_error', [...errors].filter((k) => !p?.errors.has(k)).length);
    incKind(this.published, 'clear_error', p ? [...p.errors].filter((k) => !errors.has(k)).length : 0);
    inc(this.invalid, delta(s.dropped.invalidPayloads, p?.invalidPayloads));
    inc(this.dropped, delta(s.dropped.measurements, p?.droppedMeasurements));
    inc(this.heartbeatGaps, delta(s.heartbeatGaps, p?.heartbeatGaps));
    incKind(this.received, 'heartbeat', heartbeatAdvance(p?.heartbeat, heartbeat));
    incKind(this.received, 'start', s.measuring && !(p?.measuring ?? false) ? 1 : 0);
    incKind(this.received, 'stop', p && p.measuring && !s.measuring ? 1 : 0);
    incKind(this.received, 'start_self_test', s.selfTestActive && !p?.selfTestActive ? 1 : 0);
    inc(this.reconnects, p && p.everConnected && !p.connected && s.connected ? 1 : 0);

    this.connected.set({ module }, s.connected ? 1 : 0);
    this.measuring.set({ module }, s.measuring ? 1 : 0);
    for (const type of ERROR_TYPES) {
      this.activeErrors.set({ module, type }, s.activeErrors.filter((e) => e.type === type).length);
    }
    if (s.lastMeasurementAt === undefined) this.measurementAge.remove({ module });
    else this.measurementAge.set({ module }, Math.max(0, now - s.lastMeasurementAt) / 1000);

    this.prev.set(module, {
      measurements: s.published.measurements,
      selfTestResults: s.published.selfTestResults,
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
