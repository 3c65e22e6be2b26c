import 'reflect-metadata';

export type { HostConfig, LogLevel, ModuleConfig, MqttConfig } from './config-types';
export { hostConfigSchema } from './config-schema';
export { ConfigError, formatProblem, pointerToPath } from './config-errors';
export type { ConfigProblem } from './config-errors';
export { CONFIG_MODULE_NAME, loadConfig } from './config-loader';
export type { LoadConfigOptions, LoadedConfig, LoadedModule } from './config-loader';
export { BUILTIN_PLUGINS } from './builtin-plugins';
export { PluginLoadError, PluginLoader, descriptorProblem } from './plugin-loader';
export type { LoadedPlugin } from './plugin-loader';
export { createLogger } from './logger';
export type { LoggerOptions } from './logger';
export { ImdHost } from './host';
export { ModuleRunner } from './module-runner';
export { coreModule, createHostContainer } from './container';
export { ImdHostToken, LoadedConfigToken, LoggerToken, ModuleRunnerToken, ModuleToken } from './tokens';
export { discoverPlugins, satisfiesSimpleRange } from './plugin-discovery';
export type { DiscoveredPlugin } from './plugin-discovery';
