import type { Logger } from '@imd-host/sdk';
import type { SessionStatus } from '@imd-host/protocol-everest';
import { EmbeddedBrokerFactoryToken, type EmbeddedBroker, type EmbeddedBrokerFactory } from '@imd-host/transport-mqtt';
import { Container, inject, injectable } from 'inversify';
import type { LoadedConfig } from './config-loader';
import { ModuleRunner } from './module-runner';
import { LoadedConfigToken, LoggerToken, ModuleRunnerToken, ModuleToken } from './tokens';

/** The factory the host uses to get one runner per module (a child container per module). */
export type ModuleRunnerFactory = (index: number) => ModuleRunner;

/** The imd-host process: the embedded broker when configured, and one runner per module. */
@injectable()
export class ImdHost {
  private runners: ModuleRunner[] = [];
  private broker: EmbeddedBroker | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    @inject(LoadedConfigToken) private readonly loaded: LoadedConfig,
    @inject(EmbeddedBrokerFactoryToken) private readonly brokers: EmbeddedBrokerFactory,
    @inject(LoggerToken) private readonly log: Logger,
    @inject(Container) private readonly container: Container,
  ) {}

  async start(): Promise<void> {
    const { config } = this.loaded;
    if (config.mqtt.embeddedBroker) {
      const u = new URL(config.mqtt.url);
      this.broker = await this.brokers.start({
        host: u.hostname || '127.0.0.1',
        port: u.port ? Number(u.port) : 1883,
        log: this.log,
      });
    }
    try {
      this.loaded.modules.forEach((module) => {
        const child = new Container({ parent: this.container });
        child.bind(ModuleToken).toConstantValue(module);
        child.bind(ModuleRunnerToken).to(ModuleRunner).inSingletonScope();
        const runner = child.get(ModuleRunnerToken);
        runner.start();
        this.runners.push(runner);
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.log.info({ modules: this.runners.map((r) => r.moduleId), config: this.loaded.file }, 'imd-host started');
  }

  /** Stop every module (in parallel) and the embedded broker. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled(this.runners.map((r) => r.stop()));
      await this.broker?.close();
      this.log.info('imd-host stopped');
    })();
    return this.stopping;
  }

  status(): SessionStatus[] {
    return this.runners.map((r) => r.status()).filter((s): s is SessionStatus => s !== undefined);
  }
}
