import { Wakeup } from './wakeup';

describe('Wakeup', () => {
  it('a wake ends a sleep without a timeout', async () => {
    const w = new Wakeup();
    const slept = w.sleep(undefined);
    w.wake();
    await expect(slept).resolves.toBeUndefined();
  });

  it('a wake while busy makes the next sleep return at once, only once', async () => {
    const w = new Wakeup();
    w.wake();
    await w.sleep(undefined);
    let done = false;
    const slept = w.sleep(60_000).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    w.wake();
    await slept;
  });

  it('a timed sleep ends by itself', async () => {
    await new Wakeup().sleep(10);
  });

  it('nextCycle resolves at the next endCycle', async () => {
    const w = new Wakeup();
    let ended = false;
    const cycle = w.nextCycle().then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    w.endCycle();
    await cycle;
    expect(ended).toBe(true);
  });
});
