import { moduleTopics } from '@imd-host/protocol-everest';
import type { Logger } from '@imd-host/sdk';
import mqtt, { type MqttClient } from 'mqtt';
import { clientOptions, type BrokerAccess } from './mqtt-options';
import { PayloadValidator } from './payload-validator';
import { apiTopic, parseApiTopic } from './topics';

const UINT64_MAX = (1n << 64n) - 1n;

/** Settings of the EVerest simulator. */
export interface SimulatorOptions {
  readonly broker: BrokerAccess;
  readonly moduleIds: readonly string[];
  readonly prefix: string;
  /** EVerest's `cfg_heartbeat_interval_ms`; <= 0 sends none. */
  readonly heartbeatMs: number;
  /** EVerest's `cfg_communication_check_to_s`; <= 0 disables the check. */
  readonly commCheckTimeoutS: number;
  readonly log: Logger;
}

/** One m2e message received, validated against the API schema. */
export interface SimMessage {
  readonly at: number;
  readonly moduleId: string;
  readonly kind: string;
  readonly raw: string;
  readonly valid: boolean;
  readonly value: unknown;
  readonly reason?: string;
}

export type SimEvent =
  | { readonly type: 'message'; readonly message: SimMessage }
  | {
      readonly type: 'sent';
      readonly at: number;
      readonly moduleId: string;
      readonly kind: string;
      readonly payload: string;
    }
  | { readonly type: 'commCheckLost'; readonly at: number; readonly moduleId: string; readonly initial: boolean }
  | { readonly type: 'commCheckBack'; readonly at: number; readonly moduleId: string }
  | { readonly type: 'commCheckOff'; readonly at: number; readonly moduleId: string }
  | {
      readonly type: 'connection';
      readonly at: number;
      readonly state: 'connected' | 'offline' | 'error';
      readonly detail?: string;
    };

export type SimCommand = 'start' | 'stop' | 'start_self_test' | 'heartbeat';

interface ModuleState {
  heartbeat: bigint;
  /** Last communication_check true, or the start of the check. */
  lastCheckAt: number;
  checkSeen: boolean;
  lost: boolean;
  off: boolean;
}

/**
 * Plays EVerest's isolation_monitor_API module for one or more module ids: sends commands and
 * heartbeats (uint64 ids from 0, wrapping), validates every m2e payload against the API schema,
 * and watches the communication check as EVerest does.
 */
export class EverestSimulator {
  private client: MqttClient | undefined;
  private readonly listeners = new Set<(e: SimEvent) => void>();
  private readonly validator = new PayloadValidator();
  private readonly modules = new Map<string, ModuleState>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SimulatorOptions) {
    if (options.moduleIds.length === 0) throw new Error('at least one module id is needed');
    // Throws on an id that is not one topic level (`/`, `+`, `#`, white space).
    for (const id of options.moduleIds) moduleTopics(options.prefix, id);
  }

  /** Subscribe to events; returns the unsubscribe function. */
  on(listener: (e: SimEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SimEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Connect and subscribe; resolves once the subscription is in place. Timers start then. */
  async start(): Promise<void> {
    const { broker, prefix, moduleIds } = this.options;
    const client = mqtt.connect(broker.url, clientOptions(broker, 'simulate-everest'));
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', () => this.emit({ type: 'connection', at: Date.now(), state: 'connected' }));
    client.on('offline', () => this.emit({ type: 'connection', at: Date.now(), state: 'offline' }));
    client.on('error', (err) => {
      this.options.log.debug({ err: err.message }, 'simulate-everest: broker error');
      this.emit({ type: 'connection', at: Date.now(), state: 'error', detail: err.message });
    });
    await new Promise<void>((resolve, reject) => {
      const onErr = (err: Error): void => {
        client.off('connect', onOk);
        reject(new Error(`cannot connect to ${broker.url}: ${err.message}`));
      };
      const onOk = (): void => {
        client.off('error', onErr);
        resolve();
      };
      client.once('connect', onOk);
      client.once('error', onErr);
    }).catch(async (err: unknown) => {
      await client.endAsync(true);
      throw err;
    });
    await client.subscribeAsync(
      moduleIds.map((id) => `${prefix.replace(/\/+$/, '')}/${id}/m2e/#`),
      { qos: 1 },
    );
    const now = Date.now();
    for (const id of moduleIds) {
      this.modules.set(id, { heartbeat: 0n, lastCheckAt: now, checkSeen: false, lost: false, off: false });
    }
    if (this.options.heartbeatMs > 0) {
      this.heartbeatTimer = setInterval(() => {
        for (const id of moduleIds) this.send('heartbeat', { moduleId: id });
      }, this.options.heartbeatMs);
    }
    if (this.options.commCheckTimeoutS > 0) this.checkTimer = setInterval(() => this.checkCommunication(), 100);
  }

  /** Stop the timers and disconnect. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.checkTimer);
    this.heartbeatTimer = undefined;
    this.checkTimer = undefined;
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    // Let queued commands go out, but never hang on a broker that is gone.
    let timer: NodeJS.Timeout | undefined;
    const graceful = c.endAsync(false).then(
      () => true,
      () => false,
    );
    const ended = await Promise.race([graceful, new Promise<false>((r) => (timer = setTimeout(() => r(false), 1000)))]);
    clearTimeout(timer);
    if (!ended) await c.endAsync(true);
  }

  /**
   * Send a command to one module or all. `start_self_test` carries `voltage` (default 500 V);
   * `heartbeat` the module's next id, or `id` (then counting continues from it).
   */
  send(command: SimCommand, opts: { moduleId?: string; voltage?: number; id?: string } = {}): void {
    const ids = opts.moduleId !== undefined ? [opts.moduleId] : this.options.moduleIds;
    for (const moduleId of ids) {
      let payload: string;
      if (command === 'heartbeat') {
        const m = this.moduleState(moduleId);
        const id = opts.id !== undefined ? BigInt(opts.id) : m.heartbeat;
        payload = id.toString();
        m.heartbeat = id >= UINT64_MAX ? 0n : id + 1n;
      } else if (command === 'start_self_test') {
        payload = JSON.stringify(opts.voltage ?? 500);
      } else payload = '{}';
      this.client?.publish(apiTopic(this.options.prefix, moduleId, 'e2m', command), payload, { qos: 1 });
      this.emit({ type: 'sent', at: Date.now(), moduleId, kind: command, payload });
    }
  }

  private moduleState(moduleId: string): ModuleState {
    let m = this.modules.get(moduleId);
    if (!m) {
      m = { heartbeat: 0n, lastCheckAt: Date.now(), checkSeen: false, lost: false, off: false };
      this.modules.set(moduleId, m);
    }
    return m;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseApiTopic(this.options.prefix, topic);
    if (!t || t.direction !== 'm2e') return;
    const at = Date.now();
    const checked = this.validator.check(`m2e/${t.kind}`, payload);
    const message: SimMessage = {
      at,
      moduleId: t.moduleId,
      kind: t.kind,
      raw: payload.toString('utf8'),
      valid: checked.valid,
      value: checked.value,
      ...(checked.valid ? {} : { reason: checked.reason }),
    };
    if (t.kind === 'communication_check' && checked.valid) this.onCommunicationCheck(t.moduleId, checked.value, at);
    this.emit({ type: 'message', message });
  }

  private onCommunicationCheck(moduleId: string, value: unknown, at: number): void {
    const m = this.moduleState(moduleId);
    if (m.off) return;
    if (value === false) {
      // As EVerest: `false` switches the check off until EVerest restarts.
      m.off = true;
      this.emit({ type: 'commCheckOff', at, moduleId });
      return;
    }
    m.lastCheckAt = at;
    m.checkSeen = true;
    if (m.lost) {
      m.lost = false;
      this.emit({ type: 'commCheckBack', at, moduleId });
    }
  }

  private checkCommunication(): void {
    const now = Date.now();
    const limit = this.options.commCheckTimeoutS * 1000;
    for (const [moduleId, m] of this.modules) {
      if (m.off || m.lost || now - m.lastCheckAt <= limit) continue;
      m.lost = true;
      this.emit({ type: 'commCheckLost', at: now, moduleId, initial: !m.checkSeen });
    }
  }
}
