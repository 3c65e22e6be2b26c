import type { SessionStatus } from '@imd-host/protocol-everest';

type Overrides = Omit<Partial<SessionStatus>, 'published' | 'received'> & {
  published?: Partial<SessionStatus['published']>;
  received?: Partial<SessionStatus['received']>;
};

/** A healthy module's status, with overrides; counters default to 0 (tests only; not built). */
export function status(over: Overrides = {}): SessionStatus {
  const { published, received, ...rest } = over;
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
    dropped: { measurements: 0, invalidPayloads: 0 },
    reconnects: 0,
    ...rest,
    published: {
      measurements: 3,
      selfTestResults: 0,
      selfTestsPassed: 0,
      selfTestsFailed: 0,
      communicationChecks: 0,
      raisedErrors: 0,
      clearedErrors: 0,
      ...published,
    },
    received: { start: 0, stop: 0, startSelfTest: 0, heartbeat: 0, ...received },
  };
}
