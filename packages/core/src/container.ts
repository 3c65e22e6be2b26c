import type { Logger } from '@imd-host/sdk';
import { protocolEverestModule } from '@imd-host/protocol-everest';
import { transportMqttModule } from '@imd-host/transport-mqtt';
import { Container, ContainerModule } from 'inversify';
import type { LoadedConfig } from './config-loader';
import { ImdHost } from './host';
import { ImdHostToken, LoadedConfigToken, LoggerToken } from './tokens';

/** Binds the host itself; the configuration and logger come from {@link createHostContainer}. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(ImdHostToken).to(ImdHost).inSingletonScope();
});

/**
 * The root container: core, transport and protocol modules, plus the loaded configuration
 * and the logger. Extra modules (e.g. a test transport) may be passed and are loaded last.
 */
export function createHostContainer(
  loaded: LoadedConfig,
  log: Logger,
  extra: readonly ContainerModule[] = [],
): Container {
  const container = new Container();
  container.bind(Container).toConstantValue(container);
  container.bind(LoadedConfigToken).toConstantValue(loaded);
  container.bind(LoggerToken).toConstantValue(log);
  container.loadSync(transportMqttModule, protocolEverestModule, coreModule, ...extra);
  return container;
}
