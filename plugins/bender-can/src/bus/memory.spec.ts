import { openCanBus } from './open';
import { CanBusError, formatFrame, type CanFrame } from './types';
import { waitFor, sleep } from '../testing/wait-for';

describe('memory bus', () => {
  it('delivers frames to the other endpoints of the same name only', async () => {
    const a = await openCanBus({ type: 'memory', name: 'm1' });
    const b = await openCanBus({ type: 'memory', name: 'm1' });
    const c = await openCanBus({ type: 'memory', name: 'm1-other' });
    const seen: Record<string, CanFrame[]> = { a: [], b: [], c: [] };
    a.onFrame((f) => seen.a!.push(f));
    b.onFrame((f) => seen.b!.push(f));
    c.onFrame((f) => seen.c!.push(f));
    await a.send({ id: 0x22, extended: false, data: Uint8Array.from([1, 2]) });
    await waitFor(() => seen.b!.length === 1, 'b receives');
    await sleep(20);
    expect(seen.a).toEqual([]);
    expect(seen.c).toEqual([]);
    expect(formatFrame(seen.b![0]!)).toBe('022#0102');
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('copies the data so later changes by the sender do not leak', async () => {
    const a = await openCanBus({ type: 'memory', name: 'm2' });
    const b = await openCanBus({ type: 'memory', name: 'm2' });
    const got: CanFrame[] = [];
    b.onFrame((f) => got.push(f));
    const data = Uint8Array.from([7]);
    await a.send({ id: 1, extended: false, data });
    data[0] = 9;
    await waitFor(() => got.length === 1, 'frame');
    expect(got[0]!.data[0]).toBe(7);
    await a.close();
    await b.close();
  });

  it('rejects sends after close and invalid frames, and tells close listeners', async () => {
    const a = await openCanBus({ type: 'memory', name: 'm3' });
    await expect(a.send({ id: 0x800, extended: false, data: new Uint8Array(0) })).rejects.toThrow(CanBusError);
    const closed: (Error | undefined)[] = [];
    a.onClose((e) => closed.push(e));
    await a.close();
    await a.close();
    expect(closed).toEqual([undefined]);
    await expect(a.send({ id: 1, extended: false, data: new Uint8Array(0) })).rejects.toThrow(/closed/);
  });
});
