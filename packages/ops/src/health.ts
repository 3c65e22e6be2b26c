import type { SessionStatus } from '@imd-host/protocol-everest';

/** One module in `/healthz`: its status plus the verdict. */
export interface ModuleHealth extends SessionStatus {
  readonly healthy: boolean;
  /** Why it is not healthy (empty when healthy). */
  readonly problems: readonly string[];
  readonly lastMeasurementAgeS: number | null;
}

export interface HealthReport {
  readonly status: 'ok' | 'fail';
  readonly modules: readonly ModuleHealth[];
}

/** Errors that mean the module cannot monitor the insulation. */
export const UNHEALTHY_ERROR_TYPES: readonly string[] = ['DeviceFault', 'CommunicationFault'];

/** The health of the host: fail (HTTP 503) when any module is not connected or has a DeviceFault/CommunicationFault, or none runs. */
export function healthReport(
  statuses: readonly SessionStatus[],
  now: number,
): { httpStatus: 200 | 503; body: HealthReport } {
  const modules = statuses.map((s): ModuleHealth => {
    const problems: string[] = [];
    if (!s.connected) problems.push('not connected to the MQTT broker');
    for (const e of s.activeErrors) {
      if (UNHEALTHY_ERROR_TYPES.includes(e.type)) {
        problems.push(`${e.type}${e.subType ? `/${e.subType}` : ''}${e.message ? `: ${e.message}` : ''}`);
      }
    }
    return {
      ...s,
      healthy: problems.length === 0,
      problems,
      lastMeasurementAgeS: s.lastMeasurementAt === undefined ? null : Math.max(0, now - s.lastMeasurementAt) / 1000,
    };
  });
  const ok = modules.length > 0 && modules.every((m) => m.healthy);
  return { httpStatus: ok ? 200 : 503, body: { status: ok ? 'ok' : 'fail', modules } };
}
