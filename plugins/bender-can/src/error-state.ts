import type { DeviceError, DriverContext, ErrorRef } from '@imd-host/sdk';

function key(ref: ErrorRef): string {
  return `${ref.type}/${ref.subType ?? ''}`;
}

/** Remembers which errors this driver raised, so each is raised once and cleared once. */
export class ErrorState {
  private readonly active = new Map<string, DeviceError>();

  constructor(private readonly ctx: DriverContext) {}

  raise(error: DeviceError): void {
    const k = key(error);
    if (this.active.has(k)) return;
    this.active.set(k, error);
    this.ctx.log.warn({ error }, 'raising error');
    this.ctx.raiseError(error);
  }

  clear(ref: ErrorRef): void {
    if (!this.active.delete(key(ref))) return;
    const clearRef: ErrorRef =
      ref.subType === undefined ? { type: ref.type } : { type: ref.type, subType: ref.subType };
    this.ctx.log.info({ error: clearRef }, 'clearing error');
    this.ctx.clearError(clearRef);
  }

  /** Raises `error` when `on`, clears it otherwise. */
  set(on: boolean, error: DeviceError): void {
    if (on) this.raise(error);
    else this.clear(error);
  }

  has(ref: ErrorRef): boolean {
    return this.active.has(key(ref));
  }
}
