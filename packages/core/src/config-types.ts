/** Log levels, most to least verbose. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** The `mqtt` section after validation, defaults applied and secrets resolved. */
export interface MqttConfig {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly passwordFile?: string;
  readonly clientId: string;
  readonly tls?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized: boolean;
  };
  readonly keepaliveS: number;
  readonly embeddedBroker: boolean;
}

/** One configured module. */
export interface ModuleConfig {
  /** The EVerest module id (`isolation_monitor_API` module in EVerest's config). */
  readonly moduleId: string;
  /** Built-in short name, npm package name, or path of the plugin. */
  readonly plugin: string;
  readonly communicationCheckIntervalS: number;
  readonly selfTestTimeoutS: number;
  readonly noDataTimeoutMs?: number;
  /** The plugin's options, validated against its schema, defaults applied. */
  readonly options: Record<string, unknown>;
}

/** The whole configuration file after validation. */
export interface HostConfig {
  readonly mqtt: MqttConfig;
  readonly everest: { readonly topicPrefix: string };
  readonly log: { readonly level: LogLevel; readonly pretty?: boolean };
  /** `/healthz` and `/metrics` over HTTP; off when absent. */
  readonly http?: { readonly port: number; readonly host: string };
  readonly modules: readonly ModuleConfig[];
}
