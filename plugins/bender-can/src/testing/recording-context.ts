import { silentLogger, type DeviceError, type DriverContext, type ErrorRef, type Measurement } from '@imd-host/sdk';

/** What a driver reported, in order. */
export type Recorded =
  | { readonly kind: 'measurement'; readonly value: Measurement; readonly at: number }
  | { readonly kind: 'raise'; readonly error: DeviceError; readonly at: number }
  | { readonly kind: 'clear'; readonly error: ErrorRef; readonly at: number };

/** A DriverContext for tests that records everything the driver reports. */
export class RecordingContext implements DriverContext {
  readonly moduleId = 'iso_monitor';
  readonly log = silentLogger;
  readonly events: Recorded[] = [];

  measurement(value: Measurement): void {
    this.events.push({ kind: 'measurement', value, at: Date.now() });
  }

  raiseError(error: DeviceError): void {
    this.events.push({ kind: 'raise', error, at: Date.now() });
  }

  clearError(error: ErrorRef): void {
    this.events.push({ kind: 'clear', error, at: Date.now() });
  }

  get measurements(): Measurement[] {
    return this.events.flatMap((e) => (e.kind === 'measurement' ? [e.value] : []));
  }

  /** Index of the last event, -1 when none. */
  get mark(): number {
    return this.events.length - 1;
  }

  /** Measurements reported after event index `mark`. */
  measurementsAfter(mark: number): Measurement[] {
    return this.events.slice(mark + 1).flatMap((e) => (e.kind === 'measurement' ? [e.value] : []));
  }

  raises(type: string, subType?: string): DeviceError[] {
    return this.events.flatMap((e) =>
      e.kind === 'raise' && e.error.type === type && (subType === undefined || e.error.subType === subType)
        ? [e.error]
        : [],
    );
  }

  clears(type: string, subType?: string): ErrorRef[] {
    return this.events.flatMap((e) =>
      e.kind === 'clear' && e.error.type === type && (subType === undefined || e.error.subType === subType)
        ? [e.error]
        : [],
    );
  }

  /** Whether an error of that type (and sub type) is raised and not cleared. */
  isActive(type: string, subType?: string): boolean {
    const active = new Set<string>();
    for (const e of this.events) {
      if (e.kind === 'measurement') continue;
      const key = `${e.error.type}/${e.error.subType ?? ''}`;
      if (e.kind === 'raise') active.add(key);
      else if (e.error.subType === undefined) {
        for (const k of [...active]) if (k.startsWith(`${e.error.type}/`)) active.delete(k);
      } else active.delete(key);
    }
    return [...active].some((k) => (subType === undefined ? k.startsWith(`${type}/`) : k === `${type}/${subType}`));
  }

  /** Index of the first event at or after `from` matching `pred`, or -1. */
  indexOf(pred: (e: Recorded) => boolean, from = 0): number {
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i];
      if (e && pred(e)) return i;
    }
    return -1;
  }
}
