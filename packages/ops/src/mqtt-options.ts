import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';

/** Broker access for the operator tools (command-line flags). */
export interface BrokerAccess {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM files for mqtts://. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecure?: boolean;
}

/** mqtt.js options for a tool's own connection (a unique client id, no persistent session). */
export function clientOptions(access: BrokerAccess, role: string): IClientOptions {
  const opts: IClientOptions = {
    clientId: `imd-host-${role}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
  };
  if (access.username !== undefined) opts.username = access.username;
  if (access.password !== undefined) opts.password = access.password;
  if (access.ca) opts.ca = readFileSync(access.ca);
  if (access.cert) opts.cert = readFileSync(access.cert);
  if (access.key) opts.key = readFileSync(access.key);
  if (access.insecure) opts.rejectUnauthorized = false;
  return opts;
}
