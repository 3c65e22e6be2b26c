import { delay } from '@imd-host/sdk';

/**
 * Lets a supervision loop sleep until there is work ({@link wake}) and lets callers wait for the
 * end of its next cycle ({@link nextCycle}). A wake while the loop is busy is remembered, so the
 * next sleep returns at once.
 */
export class Wakeup {
  private sleeper: (() => void) | undefined;
  private pending = false;
  private readonly cycleWaiters: (() => void)[] = [];

  wake(): void {
    this.pending = true;
    this.sleeper?.();
  }

  /** Sleeps `ms` (until woken when undefined), or returns at once after a pending wake. */
  async sleep(ms: number | undefined): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    const woken = new Promise<void>((resolve) => (this.sleeper = resolve));
    const timeout = new AbortController();
    try {
      await Promise.race(ms === undefined ? [woken] : [woken, delay(ms, timeout.signal)]);
    } finally {
      timeout.abort();
      this.sleeper = undefined;
      this.pending = false;
    }
  }

  /** Resolves when the loop calls {@link endCycle} next. */
  nextCycle(): Promise<void> {
    return new Promise<void>((resolve) => this.cycleWaiters.push(resolve));
  }

  endCycle(): void {
    for (const w of this.cycleWaiters.splice(0)) w();
  }
}
