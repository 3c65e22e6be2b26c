/** Rejection reason of {@link withTimeout} when the time is up. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** Rejection reason when an operation was aborted through its `AbortSignal`. */
export class AbortedError extends Error {
  constructor(what: string) {
    super(`${what} aborted`);
    this.name = 'AbortedError';
  }
}

/**
 * Resolve with `promise`, or reject with a {@link TimeoutError} after `timeoutMs`, or with an
 * {@link AbortedError} when `signal` aborts. Leaves no timer behind either way.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new AbortedError(what));
    };
    const timer = setTimeout(() => {
      if (finish()) reject(new TimeoutError(what, timeoutMs));
    }, timeoutMs);
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        if (finish()) resolve(v);
      },
      (e: unknown) => {
        if (finish()) reject(e);
      },
    );
  });
}

/** Resolve after `ms`, or reject with {@link AbortedError} when `signal` aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('delay'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('delay'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settings of a {@link Backoff}. */
export interface BackoffOptions {
  /** First delay in ms. Default 500. */
  readonly initialMs?: number;
  /** Upper bound in ms. Default 30 000. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Random spread, 0..1, applied as +-jitter of the delay. Default 0.2. */
  readonly jitter?: number;
  /** Random source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** Capped, jittered exponential backoff: `next()` gives the next delay, `reset()` starts over. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt, in ms. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * Math.pow(this.factor, this.attempt));
    this.attempt += 1;
    const spread = base * this.jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.min(this.maxMs, Math.round(base + spread)));
  }

  /** Forget the failures so far. */
  reset(): void {
    this.attempt = 0;
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }
}

/**
 * Counts consecutive failures and says when a threshold is crossed and when the first
 * success after that arrives: the usual "N failed requests raise CommunicationFault, the
 * first good one clears it" rule.
 */
export class FailureCounter {
  private count = 0;
  private tripped = false;

  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('threshold must be an integer >= 1');
  }

  /** Record a failure; `true` exactly when this failure trips the threshold. */
  failure(): boolean {
    this.count += 1;
    if (!this.tripped && this.count >= this.threshold) {
      this.tripped = true;
      return true;
    }
    return false;
  }

  /** Record a success; `true` exactly when this success ends a tripped state. */
  success(): boolean {
    this.count = 0;
    if (this.tripped) {
      this.tripped = false;
      return true;
    }
    return false;
  }

  /** Whether the threshold is currently crossed. */
  get isTripped(): boolean {
    return this.tripped;
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.count;
  }
}
