import type { Logger } from '@imd-host/sdk';
import type { SessionStatus } from '@imd-host/protocol-everest';
import { EmbeddedBrokerFactoryToken, type EmbeddedBroker, type EmbeddedBrokerFactory } from '@imd-host/transport-mqtt';
import { Container, inject, injectable } from 'inversify';
import type { LoadedConfig, LoadedModule } from './config-loader';
import { ModuleRunner } from './module-runner';
import { LoadedConfigToken, LoggerToken, ModuleRunnerToken, ModuleToken } from './tokens';

/** What a reload did. */
export interface ReloadResult {
  readonly started: readonly string[];
  readonly restarted: readonly string[];
  readonly stopped: readonly string[];
  readonly unchanged: readonly string[];
}

interface Running {
  readonly runner: ModuleRunner;
  /** Everything that, when changed, requires the module to restart. */
  readonly fingerprint: string;
}

function fingerprint(loaded: LoadedConfig, module: LoadedModule): string {
  const { mqtt, everest } = loaded.config;
  return JSON.stringify({ mqtt, everest, module: module.config, plugin: module.plugin.resolvedPath });
}

/** The imd-host process: the embedded broker when configured, and one runner per module. */
@injectable()
export class ImdHost {
  private readonly running = new Map<string, Running>();
  private broker: EmbeddedBroker | undefined;
  private stopping: Promise<void> | undefined;
  private current: LoadedConfig;

  constructor(
    @inject(LoadedConfigToken) loaded: LoadedConfig,
    @inject(EmbeddedBrokerFactoryToken) private readonly brokers: EmbeddedBrokerFactory,
    @inject(LoggerToken) private readonly log: Logger,
    @inject(Container) private readonly container: Container,
  ) {
    this.current = loaded;
  }

  /** The configuration in force. */
  get config(): LoadedConfig {
    return this.current;
  }

  private readonly onUnhandledRejection = (reason: unknown): void => {
    // A plugin's own promise that nobody awaited. The module it belongs to is still guarded by
    // the session (no-data watchdog, error state), so the host stays up for the other modules.
    this.log.error(
      { err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) },
      'unhandled promise rejection (contained)',
    );
  };

  private readonly onUncaughtException = (err: Error): void => {
    // Resuming after an uncaught exception is unsafe: exit without a clean MQTT disconnect, so
    // the broker delivers every module's last will and EVerest stops trusting this host at once;
    // the service manager restarts it.
    this.log.fatal(
      { err: err.stack ?? err.message },
      'uncaught exception: exiting so that the last will tells EVerest',
    );
    process.exit(1);
  };

  async start(): Promise<void> {
    process.on('unhandledRejection', this.onUnhandledRejection);
    process.on('uncaughtException', this.onUncaughtException);
    const { config } = this.current;
    if (config.mqtt.embeddedBroker) {
      const u = new URL(config.mqtt.url);
      this.broker = await this.brokers.start({
        host: u.hostname || '127.0.0.1',
        port: u.port ? Number(u.port) : 1883,
        log: this.log,
      });
    }
    try {
      for (const module of this.current.modules) this.startModule(this.current, module);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.log.info({ modules: [...this.running.keys()], config: this.current.file }, 'imd-host started');
  }

  /**
   * Apply a new, already validated configuration: modules that are gone stop, new ones start,
   * changed ones restart (a change of the mqtt or everest section changes every module), and
   * unchanged ones keep running untouched. The embedded broker setting needs a restart.
   */
  async reload(next: LoadedConfig): Promise<ReloadResult> {
    const prev = this.current;
    const nextById = new Map(next.modules.map((m) => [m.config.moduleId, m]));
    const stopped: string[] = [];
    const restarted: string[] = [];
    const started: string[] = [];
    const unchanged: string[] = [];
    if (prev.config.mqtt.embeddedBroker !== next.config.mqtt.embeddedBroker) {
      this.log.warn('mqtt.embeddedBroker changed: takes effect after a restart');
    }
    const toStop: string[] = [];
    for (const [id, r] of this.running) {
      const m = nextById.get(id);
      if (!m) {
        toStop.push(id);
        stopped.push(id);
      } else if (fingerprint(next, m) !== r.fingerprint) {
        toStop.push(id);
        restarted.push(id);
      } else unchanged.push(id);
    }
    await Promise.allSettled(toStop.map((id) => this.running.get(id)?.runner.stop()));
    for (const id of toStop) this.running.delete(id);
    this.current = next;
    for (const m of next.modules) {
      if (this.running.has(m.config.moduleId)) continue;
      try {
        this.startModule(next, m);
        if (!restarted.includes(m.config.moduleId)) started.push(m.config.moduleId);
      } catch (err) {
        this.log.error(
          { module: m.config.moduleId, err: err instanceof Error ? err.message : String(err) },
          'module failed to start',
        );
      }
    }
    const result = { started, restarted, stopped, unchanged };
    this.log.info({ ...result, config: next.file }, 'configuration reloaded');
    return result;
  }

  /** Stop every module (in parallel) and the embedded broker. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled([...this.running.values()].map((r) => r.runner.stop()));
      this.running.clear();
      await this.broker?.close();
      process.off('unhandledRejection', this.onUnhandledRejection);
      process.off('uncaughtException', this.onUncaughtException);
      this.log.info('imd-host stopped');
    })();
    return this.stopping;
  }

  status(): SessionStatus[] {
    return [...this.running.values()].map((r) => r.runner.status()).filter((s): s is SessionStatus => s !== undefined);
  }

  private startModule(loaded: LoadedConfig, module: LoadedModule): void {
    const child = new Container({ parent: this.container });
    child.bind(LoadedConfigToken).toConstantValue(loaded);
    child.bind(ModuleToken).toConstantValue(module);
    child.bind(ModuleRunnerToken).to(ModuleRunner).inSingletonScope();
    const runner = child.get(ModuleRunnerToken);
    runner.start();
    this.running.set(module.config.moduleId, { runner, fingerprint: fingerprint(loaded, module) });
  }
}
