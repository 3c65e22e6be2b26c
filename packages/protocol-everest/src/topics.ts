/** The default topic prefix of EVerest's isolation_monitor API v1. */
export const DEFAULT_TOPIC_PREFIX = 'everest_api/1/isolation_monitor';

/** Every topic of one module, fully qualified. */
export interface ModuleTopics {
  readonly base: string;
  readonly start: string;
  readonly stop: string;
  readonly startSelfTest: string;
  readonly heartbeat: string;
  readonly isolationMeasurement: string;
  readonly selfTestResult: string;
  readonly raiseError: string;
  readonly clearError: string;
  readonly communicationCheck: string;
}

/** A module id must be one topic level: no `/`, `+`, `#`, no white space, not empty. */
export const MODULE_ID_PATTERN = '^[^/+#\\s]+$';

/** The topics of module `moduleId` under `prefix`. */
export function moduleTopics(prefix: string, moduleId: string): ModuleTopics {
  if (!new RegExp(MODULE_ID_PATTERN).test(moduleId)) {
    throw new Error(`invalid module id ${JSON.stringify(moduleId)}: must be one MQTT topic level`);
  }
  const base = `${prefix.replace(/\/+$/, '')}/${moduleId}`;
  return {
    base,
    start: `${base}/e2m/start`,
    stop: `${base}/e2m/stop`,
    startSelfTest: `${base}/e2m/start_self_test`,
    heartbeat: `${base}/e2m/heartbeat`,
    isolationMeasurement: `${base}/m2e/isolation_measurement`,
    selfTestResult: `${base}/m2e/self_test_result`,
    raiseError: `${base}/m2e/raise_error`,
    clearError: `${base}/m2e/clear_error`,
    communicationCheck: `${base}/m2e/communication_check`,
  };
}
