import 'reflect-metadata';

export { DEFAULT_TOPIC_PREFIX, MODULE_ID_PATTERN, moduleTopics } from './topics';
export type { ModuleTopics } from './topics';
export {
  HEARTBEAT_MAX,
  MAX_E2M_PAYLOAD_BYTES,
  MAX_SELF_TEST_VOLTAGE_V,
  errorPayload,
  measurementPayload,
  nextHeartbeat,
  parseCommand,
  parseHeartbeat,
  parseSelfTestVoltage,
} from './payloads';
export type { ParseResult } from './payloads';
export { HOST_ERROR_SUBTYPES, IsolationMonitorSession, hostOfflineError } from './session';
export type { SessionConfig, SessionStatus } from './session';
export { SessionFactoryToken, protocolEverestModule } from './module';
export type { SessionFactory } from './module';
