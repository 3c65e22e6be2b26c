import type { Driver, Logger } from '@imd-host/sdk';
import {
  SessionFactoryToken,
  hostOfflineError,
  errorPayload,
  type IsolationMonitorSession,
  type SessionFactory,
  type SessionStatus,
} from '@imd-host/protocol-everest';
import { MqttTransportToken, type MqttTransport } from '@imd-host/transport-mqtt';
import { inject, injectable } from 'inversify';
import type { LoadedConfig, LoadedModule } from './config-loader';
import { LoadedConfigToken, LoggerToken, ModuleToken } from './tokens';

/**
 * Runs one configured module: its own MQTT connection (so that its last will reaches EVerest
 * for this module), its protocol session, and the driver its plugin creates.
 */
@injectable()
export class ModuleRunner {
  private session: IsolationMonitorSession | undefined;
  private readonly log: Logger;

  constructor(
    @inject(ModuleToken) private readonly module: LoadedModule,
    @inject(LoadedConfigToken) private readonly loaded: LoadedConfig,
    @inject(MqttTransportToken) private readonly transport: MqttTransport,
    @inject(SessionFactoryToken) private readonly sessions: SessionFactory,
    @inject(LoggerToken) log: Logger,
  ) {
    this.log = log.child({ module: module.config.moduleId });
  }

  get moduleId(): string {
    return this.module.config.moduleId;
  }

  /** Create the connection, session and driver, then start them (returns at once; connecting goes on in the background). */
  start(): void {
    const { config: m, plugin } = this.module;
    const mqtt = this.loaded.config.mqtt;
    const prefix = this.loaded.config.everest.topicPrefix;
    const offline = hostOfflineError(m.moduleId);
    const connection = this.transport.createConnection({
      url: mqtt.url,
      clientId: `${mqtt.clientId}-${m.moduleId}`,
      username: mqtt.username,
      password: mqtt.password,
      keepaliveS: mqtt.keepaliveS,
      tls: mqtt.tls,
      log: this.log,
      will: {
        topic: `${prefix.replace(/\/+$/, '')}/${m.moduleId}/m2e/raise_error`,
        payload: errorPayload(offline),
        qos: 1,
        retain: false,
      },
    });
    const session = this.sessions.create(
      {
        moduleId: m.moduleId,
        topicPrefix: prefix,
        pluginName: plugin.descriptor.name,
        communicationCheckIntervalMs: Math.round(m.communicationCheckIntervalS * 1000),
        selfTestTimeoutMs: Math.round(m.selfTestTimeoutS * 1000),
        noDataTimeoutMs: m.noDataTimeoutMs,
      },
      connection,
      this.log,
    );
    let driver: Driver;
    try {
      driver = plugin.descriptor.createDriver(structuredClone(m.options), session.driverContext);
    } catch (err) {
      throw new Error(
        `module ${m.moduleId}: plugin ${plugin.descriptor.name} could not create its driver: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    session.attach(driver);
    this.session = session;
    session.start();
    this.log.info({ plugin: plugin.descriptor.name, version: plugin.descriptor.version }, 'module started');
  }

  /** Stop measuring, close the driver, disconnect cleanly. */
  async stop(): Promise<void> {
    await this.session?.shutdown();
  }

  status(): SessionStatus | undefined {
    return this.session?.status();
  }
}
