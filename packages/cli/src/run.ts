import {
  ConfigError,
  ImdHostToken,
  createHostContainer,
  createLogger,
  loadConfig,
  type LogLevel,
} from '@imd-host/core';
import type { OpsHttpServer as OpsHttpServerType } from '@imd-host/ops';

export interface RunOptions {
  readonly config?: string;
  readonly logLevel?: LogLevel;
}

/** The operator tools, loaded only when the config asks for the HTTP server (memory and start-up time). */
function loadOps(): { OpsHttpServer: typeof OpsHttpServerType } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@imd-host/ops') as { OpsHttpServer: typeof OpsHttpServerType };
}

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, badConfig: 2 } as const;

/** Print a config error as one `file: path: message` line per problem. */
export function printConfigError(err: ConfigError): void {
  for (const line of err.lines) process.stderr.write(`${line}\n`);
}

/** `imd-host run`: load the config, start every module, stop cleanly on SIGINT/SIGTERM. */
export async function runHost(options: RunOptions): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig({ file: options.config });
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigError(err);
      process.stderr.write(`imd-host: configuration invalid (${err.problems.length} problem(s)); not started\n`);
      return EXIT.badConfig;
    }
    throw err;
  }
  const log = createLogger({
    level: options.logLevel ?? loaded.config.log.level,
    pretty: loaded.config.log.pretty,
  });
  const container = createHostContainer(loaded, log);
  const host = container.get(ImdHostToken);
  // /healthz and /metrics, when configured; started after the host, stopped before it.
  const httpConfig = loaded.config.http;
  const http = httpConfig
    ? new (loadOps().OpsHttpServer)({ port: httpConfig.port, host: httpConfig.host, status: () => host.status(), log })
    : undefined;

  let exiting = false;
  const shutdown = (signal: string): void => {
    if (exiting) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(EXIT.failure);
    }
    exiting = true;
    log.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      log.error('modules did not stop within 1.8 s; exiting anyway');
      process.exit(EXIT.failure);
    }, 1800);
    deadline.unref();
    Promise.allSettled([http?.stop()])
      .then(() => host.stop())
      .then(
        () => process.exit(EXIT.ok),
        (err: unknown) => {
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'error while stopping');
          process.exit(EXIT.failure);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // SIGHUP: re-read the configuration. An invalid file is rejected with its problems and the
  // running configuration stays; changed modules restart, unchanged ones keep running.
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      if (exiting) return;
      let next;
      try {
        next = loadConfig({ file: options.config ?? host.config.file });
      } catch (err) {
        const problems = err instanceof ConfigError ? err.lines : [err instanceof Error ? err.message : String(err)];
        log.error({ problems }, 'SIGHUP: new configuration rejected; keeping the running one');
        return;
      }
      if (!options.logLevel) log.level = next.config.log.level;
      try {
        await host.reload(next);
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'SIGHUP: reload failed');
      }
    });
  });

  try {
    await host.start();
  } catch (err) {
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'imd-host could not start');
    return EXIT.failure;
  }
  if (http && !exiting) {
    try {
      await http.start();
    } catch (err) {
      log.fatal(
        { err: err instanceof Error ? err.message : String(err), port: httpConfig?.port, host: httpConfig?.host },
        'http: cannot listen; stopping',
      );
      await host.stop();
      // Exit now, like the signal path: a connection still in its MQTT handshake must not
      // outlive the stopped host.
      process.exit(EXIT.failure);
    }
  }
  // Keep running until a signal arrives.
  return new Promise<number>(() => undefined);
}

/** `imd-host validate-config`: print OK or every problem. */
export function validateConfig(options: { readonly config?: string }): number {
  try {
    const loaded = loadConfig({ file: options.config });
    const mods = loaded.modules.map((m) => `${m.config.moduleId} (${m.plugin.descriptor.name})`).join(', ');
    process.stdout.write(`OK: ${loaded.file}: ${loaded.modules.length} module(s): ${mods}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigError(err);
      return EXIT.badConfig;
    }
    throw err;
  }
}
