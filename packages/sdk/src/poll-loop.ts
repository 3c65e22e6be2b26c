import { TimeoutError, withTimeout } from './timing';

/** Settings of a {@link PollLoop}. */
export interface PollLoopOptions {
  /** Period between the starts of two polls, in ms. */
  readonly intervalMs: number;
  /** A poll that takes longer is abandoned (its signal aborted) and counted as failed. */
  readonly timeoutMs: number;
  /** One poll. Must honour `signal`. */
  readonly poll: (signal: AbortSignal) => Promise<void>;
  /** Called with the cause when a poll rejects or times out. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs `poll` every `intervalMs`, never two at once (a slow poll delays the next one rather
 * than overlapping it), with a per-poll time-out. `stop()` resolves once the running poll has
 * finished and leaves no timer behind.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly options: PollLoopOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
  }

  /** Whether the loop is running. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Start polling; the first poll runs at once. Does nothing when already running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Stop polling; resolves when no poll is in flight any more. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    await this.current;
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.running) return;
    const started = Date.now();
    const abort = new AbortController();
    this.abort = abort;
    const run = withTimeout(this.options.poll(abort.signal), this.options.timeoutMs, 'poll', abort.signal)
      .catch((e: unknown) => {
        if (e instanceof TimeoutError) abort.abort();
        if (this.running) this.options.onError?.(e);
      })
      .finally(() => {
        this.current = undefined;
        this.abort = undefined;
        if (!this.running) return;
        const wait = Math.max(0, this.options.intervalMs - (Date.now() - started));
        this.timer = setTimeout(() => this.tick(), wait);
      });
    this.current = run;
  }
}
