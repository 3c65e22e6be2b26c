import {
  silentLogger,
  type DeviceError,
  type DriverContext,
  type ErrorRef,
  type Logger,
  type Measurement,
} from '@imd-host/sdk';

/** A {@link DriverContext} that records everything a driver reports, with the time it arrived. */
export interface RecordingContext extends DriverContext {
  readonly measurements: Array<Measurement & { readonly receivedAt: number }>;
  readonly raised: DeviceError[];
  readonly cleared: ErrorRef[];
  /** Errors raised and not cleared since, in the order raised. */
  activeErrors(): DeviceError[];
}

/** Create a recording context for driver tests. */
export function recordingContext(moduleId = 'conformance', log: Logger = silentLogger): RecordingContext {
  const measurements: Array<Measurement & { receivedAt: number }> = [];
  const raised: DeviceError[] = [];
  const cleared: ErrorRef[] = [];
  const active = new Map<string, DeviceError>();
  const key = (e: ErrorRef): string => `${e.type}\u0000${e.subType ?? ''}`;
  return {
    moduleId,
    log,
    measurements,
    raised,
    cleared,
    measurement: (m) => measurements.push({ ...m, receivedAt: Date.now() }),
    raiseError: (e) => {
      raised.push(e);
      active.set(key(e), e);
    },
    clearError: (e) => {
      cleared.push(e);
      if (e.subType === undefined) {
        for (const [k, a] of active) if (a.type === e.type) active.delete(k);
      } else active.delete(key(e));
    },
    activeErrors: () => [...active.values()],
  };
}

/** Wait until `predicate` holds, polling every 20 ms; reject after `timeoutMs` naming `what`. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
