import {
  AbortedError,
  Backoff,
  FailureCounter,
  PollLoop,
  SDK_VERSION,
  TimeoutError,
  delay,
  isSdkCompatible,
  semverMajor,
  withTimeout,
} from './index';

describe('versions', () => {
  test('SDK_VERSION matches package.json', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(SDK_VERSION).toBe((require('../package.json') as { version: string }).version);
  });
  test('isSdkCompatible: same major, host not older than the plugin', () => {
    expect(isSdkCompatible('1.0.0', '1.0.0')).toBe(true);
    expect(isSdkCompatible('1.0.0', '1.4.2')).toBe(true);
    expect(isSdkCompatible('1.5.0', '1.4.2')).toBe(false);
    expect(isSdkCompatible('1.4.3', '1.4.2')).toBe(false);
    expect(isSdkCompatible('2.0.0', '1.9.9')).toBe(false);
    expect(isSdkCompatible('0.9.0', '1.0.0')).toBe(false);
    expect(isSdkCompatible('garbage', '1.0.0')).toBe(false);
    expect(semverMajor('v3.1.4')).toBe(3);
    expect(semverMajor('x')).toBeUndefined();
  });
});

describe('withTimeout / delay', () => {
  afterEach(() => jest.useRealTimers());

  test('resolves, rejects, times out, aborts; never leaves a timer', async () => {
    jest.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 100, 'x')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('no')), 100, 'x')).rejects.toThrow('no');
    const never = new Promise<number>(() => undefined);
    const t = withTimeout(never, 100, 'read');
    jest.advanceTimersByTime(100);
    await expect(t).rejects.toEqual(new TimeoutError('read', 100));
    const ac = new AbortController();
    const a = withTimeout(never, 100, 'op', ac.signal);
    ac.abort();
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('delay aborts', async () => {
    const ac = new AbortController();
    const d = delay(10_000, ac.signal);
    ac.abort();
    await expect(d).rejects.toBeInstanceOf(AbortedError);
    await expect(delay(1)).resolves.toBeUndefined();
  });
});

describe('Backoff', () => {
  test('grows by the factor, is capped, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempts).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });
  test('jitter spreads within +-jitter and never exceeds the cap', () => {
    const lo = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2, random: () => 0 });
    const hi = new Backoff({ initialMs: 1000, maxMs: 5000, jitter: 0.2, random: () => 0.999999 });
    expect(lo.next()).toBe(800);
    expect(hi.next()).toBe(1200);
    const capped = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0.999999 });
    expect(capped.next()).toBe(1000);
  });
});

describe('FailureCounter', () => {
  test('trips once at the threshold and reports the first success after it', () => {
    const c = new FailureCounter(3);
    expect([c.failure(), c.failure(), c.failure(), c.failure()]).toEqual([false, false, true, false]);
    expect(c.isTripped).toBe(true);
    expect(c.success()).toBe(true);
    expect(c.success()).toBe(false);
    expect(c.failure()).toBe(false);
    expect(c.success()).toBe(false);
    expect(() => new FailureCounter(0)).toThrow(RangeError);
  });
});

describe('PollLoop', () => {
  afterEach(() => jest.useRealTimers());

  test('polls at the interval without overlap, reports errors and time-outs, stops cleanly', async () => {
    jest.useFakeTimers();
    const starts: number[] = [];
    const errors: unknown[] = [];
    let mode: 'ok' | 'fail' | 'hang' = 'ok';
    let inFlight = 0;
    let maxInFlight = 0;
    const loop = new PollLoop({
      intervalMs: 100,
      timeoutMs: 50,
      poll: (signal) => {
        starts.push(Date.now());
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const done = (): void => {
          inFlight -= 1;
        };
        if (mode === 'fail') {
          done();
          return Promise.reject(new Error('crc'));
        }
        if (mode === 'hang') {
          return new Promise<void>((_, reject) =>
            signal.addEventListener('abort', () => {
              done();
              reject(new Error('aborted'));
            }),
          );
        }
        done();
        return Promise.resolve();
      },
      onError: (e) => errors.push(e),
    });
    const t0 = Date.now();
    loop.start();
    await jest.advanceTimersByTimeAsync(350);
    expect(starts.map((s) => s - t0)).toEqual([0, 100, 200, 300]);
    mode = 'fail';
    await jest.advanceTimersByTimeAsync(100);
    expect((errors[0] as Error).message).toBe('crc');
    mode = 'hang';
    await jest.advanceTimersByTimeAsync(100);
    await jest.advanceTimersByTimeAsync(60);
    expect(errors[1]).toBeInstanceOf(TimeoutError);
    expect(maxInFlight).toBe(1);
    mode = 'ok';
    await loop.stop();
    expect(loop.isRunning).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    const n = starts.length;
    await jest.advanceTimersByTimeAsync(1000);
    expect(starts.length).toBe(n);
  });
});
