import type { Logger } from '@imd-host/sdk';
import type { MqttConnection } from '@imd-host/transport-mqtt';
import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { IsolationMonitorSession, type SessionConfig } from './session';

/** Creates one {@link IsolationMonitorSession} per module. */
export interface SessionFactory {
  create(config: SessionConfig, connection: MqttConnection, log: Logger): IsolationMonitorSession;
}

/** Injection token of the {@link SessionFactory}. */
export const SessionFactoryToken: ServiceIdentifier<SessionFactory> = Symbol.for('imd-host.SessionFactory');

/** Binds {@link SessionFactoryToken}. */
export const protocolEverestModule = new ContainerModule(({ bind }) => {
  const factory: SessionFactory = {
    create: (config, connection, log) => new IsolationMonitorSession(config, connection, log),
  };
  bind(SessionFactoryToken).toConstantValue(factory);
});
