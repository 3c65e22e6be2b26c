import type { Logger } from '@imd-host/sdk';
import pino from 'pino';
import type { LogLevel } from './config-types';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines instead of JSON. Default: when stdout is a TTY. */
  readonly pretty?: boolean;
  /** Where to write; default stdout. */
  readonly destination?: NodeJS.WritableStream;
}

/** The host's pino logger: JSON lines (one per event) by default, pretty on a TTY. */
export function createLogger(options: LoggerOptions): Logger & pino.Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  const base: pino.LoggerOptions = { level: options.level, base: { name: 'imd-host' } };
  if (pretty) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pinoPretty = require('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream;
    return pino(
      base,
      pinoPretty({
        colorize: true,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,name',
        destination: options.destination ?? 1,
      }),
    );
  }
  return pino(base, options.destination ?? pino.destination({ sync: true }));
}
