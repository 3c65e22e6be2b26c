export type {
  Driver,
  DriverContext,
  DeviceError,
  DeviceSimulatorCommand,
  ErrorRef,
  ErrorType,
  JsonSchema,
  LogFn,
  Logger,
  Measurement,
  PluginDescriptor,
  PluginManifest,
} from './types';
export { ERROR_TYPES } from './types';
export { SDK_VERSION, PLUGIN_KEYWORD, MANIFEST_FIELD, definePlugin, semverMajor, isSdkCompatible } from './plugin';
export { AbortedError, Backoff, FailureCounter, TimeoutError, delay, withTimeout } from './timing';
export type { BackoffOptions } from './timing';
export { PollLoop } from './poll-loop';
export type { PollLoopOptions } from './poll-loop';
export { silentLogger } from './logger';
