import type { DeviceError, DriverContext, ErrorRef, LogFn, Logger, Measurement } from '@imd-host/sdk';

/** A DriverContext that records what the driver reports, and the log messages. */
export interface Recorder {
  readonly ctx: DriverContext;
  readonly measurements: Measurement[];
  readonly raised: DeviceError[];
  readonly cleared: ErrorRef[];
  readonly logs: string[];
  /** Errors raised and not cleared since. */
  active(): DeviceError[];
}

export function recorder(moduleId = 'test'): Recorder {
  const logs: string[] = [];
  const fn: LogFn = (a: object | string, b?: string) => {
    logs.push(typeof a === 'string' ? a : (b ?? ''));
  };
  const log: Logger = { trace: fn, debug: fn, info: fn, warn: fn, error: fn, fatal: fn, child: () => log };
  const r: Recorder = {
    measurements: [],
    raised: [],
    cleared: [],
    logs,
    active: () => {
      const on = new Map<string, DeviceError>();
      const events: Array<['r', DeviceError] | ['c', ErrorRef]> = [];
      // Replay in order: raised and cleared are interleaved through `seq`.
      for (const e of seq) events.push(e);
      for (const [k, e] of events) {
        const key = `${e.type}/${e.subType ?? ''}`;
        if (k === 'r') on.set(key, e as DeviceError);
        else on.delete(key);
      }
      return [...on.values()];
    },
    ctx: {
      moduleId,
      log,
      measurement: (m) => r.measurements.push(m),
      raiseError: (e) => {
        r.raised.push(e);
        seq.push(['r', e]);
      },
      clearError: (e) => {
        r.cleared.push(e);
        seq.push(['c', e]);
      },
    },
  };
  const seq: Array<['r', DeviceError] | ['c', ErrorRef]> = [];
  return r;
}

export { sleep, waitFor } from '../../../../test/support/everest';
