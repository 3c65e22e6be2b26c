import type { BackoffOptions, Logger } from '@imd-host/sdk';

/** TLS material (contents, not paths) for `mqtts://` and `wss://`. */
export interface MqttTlsOptions {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Verify the broker's certificate. Default true. */
  readonly rejectUnauthorized?: boolean;
}

/** The MQTT last will: what the broker publishes when the connection dies without a DISCONNECT. */
export interface MqttWill {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

/** Settings of one MQTT connection. */
export interface MqttConnectionOptions {
  /** `mqtt://host:port`, `mqtts://`, `ws://`, `wss://`. */
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Keepalive in seconds; the broker fires the will after about 1.5 times this. */
  readonly keepaliveS: number;
  readonly tls?: MqttTlsOptions;
  readonly will?: MqttWill;
  /** Time allowed for one connection attempt. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Reconnect backoff. Default: 500 ms doubling up to 10 s, 20 % jitter. */
  readonly backoff?: BackoffOptions;
  readonly log: Logger;
}

/** What a publish does while the connection is down. */
export type OfflinePolicy =
  /** Drop it (measurements, communication checks: late delivery would be stale). */
  | 'drop'
  /** Keep it and deliver it after the reconnect, in order (QoS 1 only). */
  | 'queue';

export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
  readonly whenOffline: OfflinePolicy;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

/**
 * One MQTT client connection that reconnects by itself (capped, jittered backoff) until
 * `end()`, and subscribes again to its topics after every reconnect.
 */
export interface MqttConnection {
  readonly clientId: string;
  readonly isConnected: boolean;
  /** How many times the connection came up (1 after the first connect). */
  readonly connectCount: number;
  /** Start connecting in the background. */
  open(): void;
  /** Subscribe (now, and after every reconnect) to exact topics, delivering messages to `handler`. */
  subscribe(topics: readonly string[], handler: MessageHandler): void;
  /** Publish; returns false when the message was dropped because the connection is down. */
  publish(topic: string, payload: string, options: PublishOptions): boolean;
  /** Called on every (re)connect, after the subscriptions are renewed. Returns an unsubscribe function. */
  onConnect(listener: () => void): () => void;
  /** Called whenever an established connection is lost. */
  onDisconnect(listener: () => void): () => void;
  /** Disconnect cleanly (the broker does not fire the will) and stop reconnecting. */
  end(): Promise<void>;
}

/** Creates MQTT connections. Injection token: {@link MqttTransportToken}. */
export interface MqttTransport {
  createConnection(options: MqttConnectionOptions): MqttConnection;
}

/** An in-process broker for demos. */
export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts embedded brokers. Injection token: {@link EmbeddedBrokerFactoryToken}. */
export interface EmbeddedBrokerFactory {
  start(options: { host: string; port: number; log: Logger }): Promise<EmbeddedBroker>;
}
