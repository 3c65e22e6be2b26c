import { PayloadValidator } from './payload-validator';
import { parseApiTopic } from './topics';

/** What a module is doing, inferred from EVerest's commands and the module's answers. */
export type ModuleActivity = 'measuring' | 'stopped' | 'self test running' | 'unknown';

export interface WatchedError {
  readonly type: string;
  readonly subType?: string;
  readonly message?: string;
  readonly since: number;
}

export interface SelfTestRecord {
  readonly at: number;
  readonly result: boolean;
  readonly voltage?: number;
  readonly requestedAt?: number;
}

/** Everything the watch view knows about one module. */
export interface WatchedModule {
  readonly moduleId: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly activity: ModuleActivity;
  readonly lastMeasurement?: { readonly at: number; readonly resistanceOhm: number; readonly voltageV?: number };
  readonly activeErrors: readonly WatchedError[];
  readonly selfTests: readonly SelfTestRecord[];
  readonly selfTestRunning?: { readonly since: number; readonly voltage: number };
  readonly commCheck?: { readonly at: number; readonly value: boolean };
  readonly heartbeat?: { readonly at: number; readonly id: string };
  readonly invalidPayloads: number;
  /** Messages seen per `m2e/<kind>` and `e2m/<kind>`. */
  readonly counts: Readonly<Record<string, number>>;
}

interface MutableModule {
  moduleId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  measuring: boolean | undefined;
  selfTest: { since: number; voltage: number } | undefined;
  lastMeasurement?: { at: number; resistanceOhm: number; voltageV?: number };
  errors: Map<string, WatchedError>;
  selfTests: SelfTestRecord[];
  commCheck?: { at: number; value: boolean };
  heartbeat?: { at: number; id: string };
  invalidPayloads: number;
  counts: Record<string, number>;
}

type Obj = Record<string, unknown>;
const errKey = (type: string, subType: string | undefined): string => `${type}\u0000${subType ?? ''}`;

/**
 * The state of every module seen on the broker, built from the API messages in both directions.
 * Error tracking follows EVerest: `clear_error` without `sub_type` clears every sub type of the type.
 */
export class WatchModel {
  private readonly byId = new Map<string, MutableModule>();
  private readonly validator = new PayloadValidator();

  constructor(
    private readonly prefix: string,
    private readonly historySize = 5,
  ) {}

  /** Apply one MQTT message; false when the topic is not part of the API. */
  apply(topic: string, payload: Buffer | string, at: number): boolean {
    const t = parseApiTopic(this.prefix, topic);
    if (!t) return false;
    const m = this.module(t.moduleId, at);
    m.lastSeenAt = at;
    const address = `${t.direction}/${t.kind}`;
    m.counts[address] = (m.counts[address] ?? 0) + 1;
    const checked = this.validator.check(address, payload);
    if (!checked.valid) {
      m.invalidPayloads += 1;
      return true;
    }
    const v = checked.value;
    switch (address) {
      case 'e2m/start':
        m.measuring = true;
        break;
      case 'e2m/stop':
        m.measuring = false;
        break;
      case 'e2m/start_self_test':
        m.selfTest = { since: at, voltage: v as number };
        break;
      case 'e2m/heartbeat':
        m.heartbeat = { at, id: String(v) };
        break;
      case 'm2e/isolation_measurement': {
        const o = v as Obj;
        m.lastMeasurement = {
          at,
          resistanceOhm: o.resistance_F_Ohm as number,
          ...(typeof o.voltage_V === 'number' ? { voltageV: o.voltage_V } : {}),
        };
        // Measurements only flow while started: a watch that began late learns the state here.
        m.measuring ??= true;
        break;
      }
      case 'm2e/self_test_result':
        m.selfTests.push({
          at,
          result: v as boolean,
          ...(m.selfTest ? { voltage: m.selfTest.voltage, requestedAt: m.selfTest.since } : {}),
        });
        if (m.selfTests.length > this.historySize) m.selfTests.shift();
        m.selfTest = undefined;
        break;
      case 'm2e/raise_error': {
        const o = v as Obj;
        const subType = typeof o.sub_type === 'string' ? o.sub_type : undefined;
        const key = errKey(o.type as string, subType);
        const prev = m.errors.get(key);
        m.errors.set(key, {
          type: o.type as string,
          ...(subType !== undefined ? { subType } : {}),
          ...(typeof o.message === 'string' ? { message: o.message } : {}),
          since: prev?.since ?? at,
        });
        break;
      }
      case 'm2e/clear_error': {
        const o = v as Obj;
        const subType = typeof o.sub_type === 'string' ? o.sub_type : undefined;
        for (const [key, e] of m.errors) {
          if (e.type === o.type && (subType === undefined || e.subType === subType)) m.errors.delete(key);
        }
        break;
      }
      case 'm2e/communication_check':
        m.commCheck = { at, value: v as boolean };
        break;
    }
    return true;
  }

  /** Every module seen, sorted by id. */
  modules(): WatchedModule[] {
    return [...this.byId.values()]
      .sort((a, b) => a.moduleId.localeCompare(b.moduleId))
      .map((m) => ({
        moduleId: m.moduleId,
        firstSeenAt: m.firstSeenAt,
        lastSeenAt: m.lastSeenAt,
        activity: m.selfTest
          ? 'self test running'
          : m.measuring === true
            ? 'measuring'
            : m.measuring === false
              ? 'stopped'
              : 'unknown',
        ...(m.lastMeasurement ? { lastMeasurement: { ...m.lastMeasurement } } : {}),
        activeErrors: [...m.errors.values()],
        selfTests: [...m.selfTests],
        ...(m.selfTest ? { selfTestRunning: { ...m.selfTest } } : {}),
        ...(m.commCheck ? { commCheck: { ...m.commCheck } } : {}),
        ...(m.heartbeat ? { heartbeat: { ...m.heartbeat } } : {}),
        invalidPayloads: m.invalidPayloads,
        counts: { ...m.counts },
      }));
  }

  private module(moduleId: string, at: number): MutableModule {
    let m = this.byId.get(moduleId);
    if (!m) {
      m = {
        moduleId,
        firstSeenAt: at,
        lastSeenAt: at,
        measuring: undefined,
        selfTest: undefined,
        errors: new Map(),
        selfTests: [],
        invalidPayloads: 0,
        counts: {},
      };
      this.byId.set(moduleId, m);
    }
    return m;
  }
}
