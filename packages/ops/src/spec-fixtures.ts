import type { SessionStatus } from '@imd-host/protocol-everest';

/** A healthy module's status, with overrides (tests only; not built). */
export function status(over: Partial<SessionStatus> = {}): SessionStatus {
  return {
    moduleId: 'iso',
    plugin: 'mock',
    connected: true,
    measuring: true,
    selfTestActive: false,
    activeErrors: [],
    lastMeasurementAt: 9_000,
    lastHeartbeat: '7',
    heartbeatGaps: 0,
    published: { measurements: 3, selfTestResults: 0 },
    dropped: { measurements: 0, invalidPayloads: 0 },
    ...over,
  };
}
