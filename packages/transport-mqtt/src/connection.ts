import { Backoff, type Logger } from '@imd-host/sdk';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MessageHandler, MqttConnection, MqttConnectionOptions, PublishOptions } from './types';

/** Describes an mqtt.js / socket error in one short line, without secrets. */
export function describeMqttError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code !== undefined && !err.message.includes(String(code)) ? `${err.message} (${String(code)})` : err.message;
  }
  return String(err);
}

/** Whether an error means the broker (or its TLS layer) refused us, as opposed to a lost link. */
function isRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return code !== 0; // CONNACK return codes: 1..5 (3.1.1), >= 0x80 (5.0)
  if (typeof code === 'string') return /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO/i.test(code);
  return false;
}

/** Strips credentials from a URL for logging. */
const noop = (): void => undefined;

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * An {@link MqttConnection} on mqtt.js. mqtt.js' own reconnect timer is switched off
 * (`reconnectPeriod: 0`): we reconnect with a capped, jittered backoff instead, so a broker
 * that rejects us (bad credentials, untrusted certificate) gets one error line per attempt,
 * never a tight loop. QoS 0 messages are never queued while offline (`queueQoSZero: false`).
 */
export class MqttJsConnection implements MqttConnection {
  private client: MqttClient | undefined;
  private readonly subscriptions = new Map<string, MessageHandler>();
  private readonly connectListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private ending = false;
  private wasConnected = false;
  /** The broker or TLS refused us (credentials, certificate): back off longer than for a lost link. */
  private refused = false;
  private erroredThisAttempt = false;
  private failuresSinceConnect = 0;
  private readonly refusedBackoff: Backoff;
  private connects = 0;
  private readonly log: Logger;

  constructor(private readonly options: MqttConnectionOptions) {
    // A lost link comes back quickly (broker restart): retry soon, capped at 1.5 s so that
    // measurements flow again within 2 s of the broker's return. A refusal (bad credentials,
    // untrusted certificate) will not fix itself: back off up to 30 s, one error line per attempt.
    this.backoff = new Backoff({ initialMs: 250, maxMs: 1500, factor: 2, jitter: 0.2, ...options.backoff });
    this.refusedBackoff = new Backoff({ initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 });
    this.log = options.log.child({ clientId: options.clientId });
  }

  get clientId(): string {
    return this.options.clientId;
  }

  get isConnected(): boolean {
    return this.client?.connected === true;
  }

  get connectCount(): number {
    return this.connects;
  }

  open(): void {
    if (this.client) return;
    const o = this.options;
    const clientOptions: IClientOptions = {
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      keepalive: o.keepaliveS,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 5000,
      queueQoSZero: false,
      resubscribe: false,
      protocolVersion: 4,
      // mqtt-packet's default caches a 2-byte Buffer for each of the 65,536 packet ids: about 6.5 MB of
      // live heap, once per process, for a few allocations saved per QoS 1 publish (docs/performance.md).
      writeCache: false,
      // mqtt.js logs through `debug`, whose disabled calls still allocate their arguments (about
      // 2 KB per publish): keep it only when the user asked for it with DEBUG=mqttjs*.
      log: process.env.DEBUG ? undefined : noop,
      will: o.will
        ? { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain }
        : undefined,
      ca: o.tls?.ca,
      cert: o.tls?.cert,
      key: o.tls?.key,
      rejectUnauthorized: o.tls?.rejectUnauthorized ?? true,
    };
    this.log.debug({ url: redactUrl(o.url) }, 'mqtt connecting');
    const client = mqtt.connect(o.url, clientOptions);
    this.client = client;
    client.on('connect', () => this.handleConnect());
    client.on('close', () => this.handleClose());
    client.on('error', (err) => {
      this.erroredThisAttempt = true;
      const refusal = isRefusal(err);
      if (refusal) this.refused = true;
      const fields = { url: redactUrl(o.url), err: describeMqttError(err) };
      // A refusal is logged on every attempt; a broker that is away only on the first one.
      if (refusal || this.failuresSinceConnect === 0) this.log.error(fields, 'mqtt connection error');
      else this.log.debug(fields, 'mqtt connection error');
      this.failuresSinceConnect += 1;
    });
    client.on('message', (topic, payload) => {
      const handler = this.subscriptions.get(topic);
      if (!handler) return;
      try {
        handler(topic, payload);
      } catch (err) {
        this.log.error({ topic, err: describeMqttError(err) }, 'message handler threw; message ignored');
      }
    });
  }

  subscribe(topics: readonly string[], handler: MessageHandler): void {
    const fresh = topics.filter((t) => !this.subscriptions.has(t));
    for (const t of topics) this.subscriptions.set(t, handler);
    if (this.client?.connected && fresh.length > 0) this.sendSubscribe(fresh);
  }

  publish(topic: string, payload: string, options: PublishOptions): boolean {
    const client = this.client;
    if (!client || this.ending) return false;
    if (!client.connected && (options.whenOffline === 'drop' || options.qos === 0)) return false;
    client.publish(topic, payload, { qos: options.qos, retain: options.retain ?? false }, (err) => {
      if (err) this.log.debug({ topic, err: describeMqttError(err) }, 'mqtt publish not delivered');
    });
    return true;
  }

  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  async end(): Promise<void> {
    this.ending = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    if (!client) return;
    await new Promise<void>((resolve) => {
      // A clean DISCONNECT when connected (no will); when not connected, just tear down.
      const force = !client.connected;
      const timer = setTimeout(() => {
        client.end(true, () => resolve());
      }, 1000);
      client.end(force, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    client.removeAllListeners();
    // A client ended during its handshake can still report e.g. "connack timeout" later; an
    // 'error' event without a listener would crash the process.
    client.on('error', () => undefined);
    this.client = undefined;
  }

  private sendSubscribe(topics: readonly string[]): void {
    this.client?.subscribe([...topics], { qos: 1 }, (err, granted) => {
      if (err) {
        this.log.error({ topics, err: describeMqttError(err) }, 'mqtt subscribe failed');
        return;
      }
      for (const g of granted ?? []) {
        if (g.qos === 128) this.log.error({ topic: g.topic }, 'broker refused subscription (check the ACL)');
      }
    });
  }

  private handleConnect(): void {
    // mqtt.js leaves Nagle on: a measurement right after a PUBACK would wait for the broker's
    // delayed ACK (~40 ms). Measurements are small and time-critical: send at once.
    (this.client?.stream as { setNoDelay?(on: boolean): void } | undefined)?.setNoDelay?.(true);
    this.connects += 1;
    this.wasConnected = true;
    this.refused = false;
    this.failuresSinceConnect = 0;
    this.backoff.reset();
    this.refusedBackoff.reset();
    this.log.info({ url: redactUrl(this.options.url), connects: this.connects }, 'mqtt connected');
    if (this.subscriptions.size > 0) this.sendSubscribe([...this.subscriptions.keys()]);
    for (const l of this.connectListeners) {
      try {
        l();
      } catch (err) {
        this.log.error({ err: describeMqttError(err) }, 'connect listener threw');
      }
    }
  }

  private handleClose(): void {
    const errored = this.erroredThisAttempt;
    this.erroredThisAttempt = false;
    if (this.wasConnected) {
      this.wasConnected = false;
      if (!this.ending) this.log.warn({ url: redactUrl(this.options.url) }, 'mqtt connection lost');
      for (const l of this.disconnectListeners) {
        try {
          l();
        } catch (err) {
          this.log.error({ err: describeMqttError(err) }, 'disconnect listener threw');
        }
      }
    } else if (!errored && !this.ending) {
      // e.g. the TLS peer hung up without an alert: still one line per attempt.
      this.log.error({ url: redactUrl(this.options.url) }, 'mqtt connection closed before it was up');
      this.refused = true;
    }
    if (this.ending || this.reconnectTimer) return;
    const backoff = this.refused ? this.refusedBackoff : this.backoff;
    const wait = backoff.next();
    this.log.info({ inMs: wait, attempt: backoff.attempts }, 'mqtt reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      const c = this.client;
      // Hand the stores back: reconnect() without them starts empty ones and would lose the
      // QoS 1 messages queued while offline (self-test results, errors).
      if (!this.ending && c) c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
    }, wait);
  }
}
