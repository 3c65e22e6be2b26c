import { ListenerSet } from './listeners';
import { assertValidFrame, CanBusError, type CanBus, type CanBusCloseListener, type CanFrame } from './types';

const buses = new Map<string, Set<MemoryEndpoint>>();

class MemoryEndpoint implements CanBus {
  readonly description: string;
  private readonly frames = new ListenerSet<[CanFrame]>();
  private readonly closes = new ListenerSet<[Error | undefined]>();
  private closed = false;

  constructor(private readonly name: string) {
    this.description = `memory ${name}`;
  }

  async send(frame: CanFrame): Promise<void> {
    if (this.closed) throw new CanBusError(`${this.description}: bus is closed`);
    assertValidFrame(frame);
    const copy: CanFrame = { ...frame, data: Uint8Array.from(frame.data) };
    const peers = [...(buses.get(this.name) ?? [])].filter((e) => e !== this);
    // Deliver asynchronously, like a real bus: the sender never sees its own frame re-entrantly.
    setImmediate(() => {
      for (const peer of peers) peer.deliver(copy);
    });
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    return this.frames.add(listener);
  }

  onClose(listener: CanBusCloseListener): () => void {
    return this.closes.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const set = buses.get(this.name);
    set?.delete(this);
    if (set && set.size === 0) buses.delete(this.name);
    this.closes.emit(undefined);
    this.frames.clear();
    this.closes.clear();
  }

  private deliver(frame: CanFrame): void {
    if (!this.closed) this.frames.emit(frame);
  }

  register(): this {
    let set = buses.get(this.name);
    if (!set) {
      set = new Set();
      buses.set(this.name, set);
    }
    set.add(this);
    return this;
  }
}

/** Opens an endpoint on the in-process bus `name`; endpoints on the same name see each other's frames. */
export function openMemoryBus(name: string): CanBus {
  if (!name) throw new CanBusError('memory bus needs a non-empty name');
  return new MemoryEndpoint(name).register();
}
