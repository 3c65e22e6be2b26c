import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { assertValidPayload, loadAsyncApiValidators } from './asyncapi';

export const PREFIX = 'everest_api/1/isolation_monitor';

/** One message EVerest received. */
export interface Received {
  readonly at: number;
  readonly moduleId: string;
  /** e.g. `isolation_measurement`. */
  readonly kind: string;
  readonly payload: string;
}

/** Waits until `predicate` holds, polling. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Plays EVerest's side of the isolation_monitor API with mqtt.js: records every m2e message,
 * validates each against the AsyncAPI schema (invalid ones are collected in `invalid`), and
 * sends e2m commands.
 */
export class FakeEverest {
  readonly received: Received[] = [];
  readonly invalid: string[] = [];
  private client!: MqttClient;
  private readonly validators: Map<string, ValidateFunction> = loadAsyncApiValidators();

  constructor(
    private readonly url: string,
    private readonly prefix = PREFIX,
    private readonly auth: { username?: string; password?: string; ca?: string; cert?: string; key?: string } = {},
  ) {}

  async connect(): Promise<void> {
    const opts: IClientOptions = {
      clientId: `fake-everest-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 200,
      username: this.auth.username,
      password: this.auth.password,
    };
    if (this.auth.ca) opts.ca = readFileSync(this.auth.ca);
    if (this.auth.cert) opts.cert = readFileSync(this.auth.cert);
    if (this.auth.key) opts.key = readFileSync(this.auth.key);
    this.client = mqtt.connect(this.url, opts);
    this.client.on('message', (topic, buf) => {
      const rest = topic.slice(this.prefix.length + 1).split('/');
      if (rest.length !== 3 || rest[1] !== 'm2e') return;
      const payload = buf.toString('utf8');
      try {
        assertValidPayload(this.validators, `m2e/${rest[2]}`, payload);
      } catch (err) {
        this.invalid.push((err as Error).message);
      }
      this.received.push({ at: Date.now(), moduleId: rest[0], kind: rest[2], payload });
    });
    await new Promise<void>((resolve, reject) => {
      this.client.once('connect', () => resolve());
      this.client.once('error', reject);
    });
    await this.client.subscribeAsync(`${this.prefix}/+/m2e/#`, { qos: 1 });
  }

  send(moduleId: string, command: 'start' | 'stop' | 'start_self_test' | 'heartbeat', payload: string | Buffer): void {
    this.client.publish(`${this.prefix}/${moduleId}/e2m/${command}`, payload, { qos: 1 });
  }

  sendRaw(topic: string, payload: string | Buffer): void {
    this.client.publish(topic, payload, { qos: 0 });
  }

  of(moduleId: string, kind?: string, since = 0): Received[] {
    return this.received.filter(
      (r) => r.moduleId === moduleId && (kind === undefined || r.kind === kind) && r.at >= since,
    );
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
  }
}
