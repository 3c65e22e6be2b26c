import type { Logger } from '@imd-host/sdk';
import type { ServiceIdentifier } from 'inversify';
import type { LoadedConfig, LoadedModule } from './config-loader';
import type { ModuleRunner } from './module-runner';
import type { ImdHost } from './host';

/** The loaded configuration. */
export const LoadedConfigToken: ServiceIdentifier<LoadedConfig> = Symbol.for('imd-host.LoadedConfig');
/** The root logger. */
export const LoggerToken: ServiceIdentifier<Logger> = Symbol.for('imd-host.Logger');
/** The host. */
export const ImdHostToken: ServiceIdentifier<ImdHost> = Symbol.for('imd-host.ImdHost');
/** In a module's child container: that module. */
export const ModuleToken: ServiceIdentifier<LoadedModule> = Symbol.for('imd-host.Module');
/** In a module's child container: its runner. */
export const ModuleRunnerToken: ServiceIdentifier<ModuleRunner> = Symbol.for('imd-host.ModuleRunner');
