import { existsSync, readFileSync } from 'node:fs';
import { ListenerSet } from './listeners';
import {
  assertValidFrame,
  CanBusError,
  type CanBus,
  type CanBusCloseListener,
  type CanFrame,
  type SocketCanBusOptions,
} from './types';

/** The part of the `socketcan` package's RawChannel we use. */
interface RawChannel {
  addListener(event: 'onMessage', callback: (msg: RawMessage) => void): void;
  addListener(event: 'onStopped', callback: () => void): void;
  start(): void;
  stop(): void;
  send(message: RawMessage): void;
}

interface RawMessage {
  id: number;
  ext: boolean;
  rtr: boolean;
  data: Buffer;
  err?: boolean;
}

interface SocketCanModule {
  createRawChannel(channel: string, timestamps?: boolean): RawChannel;
}

/** Where Linux lists network interfaces. */
const SYS_NET = '/sys/class/net';

function bringUpHint(channel: string, bitrate: number): string {
  return `bring it up with: ip link set ${channel} up type can bitrate ${bitrate}`;
}

/** Reads the operational state of an interface, or `undefined` when unknown. */
function operState(channel: string): string | undefined {
  try {
    return readFileSync(`${SYS_NET}/${channel}/operstate`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Loads the optional native `socketcan` package only when a socketcan bus is configured. */
function loadSocketCan(): SocketCanModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('socketcan') as SocketCanModule;
  } catch (e) {
    throw new CanBusError(
      `the optional npm package "socketcan" could not be loaded (${(e as Error).message}); install it (npm install socketcan) on a Linux host with build tools, or use an slcan adapter`,
      { cause: e },
    );
  }
}

class SocketCanBus implements CanBus {
  readonly description: string;
  private readonly frames = new ListenerSet<[CanFrame]>();
  private readonly closes = new ListenerSet<[Error | undefined]>();
  private closed = false;

  constructor(
    private readonly channel: RawChannel,
    name: string,
  ) {
    this.description = `socketcan ${name}`;
    channel.addListener('onMessage', (msg) => {
      if (this.closed || msg.err) return;
      this.frames.emit({ id: msg.id, extended: msg.ext, rtr: msg.rtr || undefined, data: Uint8Array.from(msg.data) });
    });
    channel.addListener('onStopped', () => this.finish(new CanBusError(`${this.description}: channel stopped`)));
  }

  async send(frame: CanFrame): Promise<void> {
    if (this.closed) throw new CanBusError(`${this.description}: bus is closed`);
    assertValidFrame(frame);
    try {
      this.channel.send({ id: frame.id, ext: frame.extended, rtr: frame.rtr ?? false, data: Buffer.from(frame.data) });
    } catch (e) {
      throw new CanBusError(`${this.description}: send failed (${(e as Error).message}); is the interface up?`, {
        cause: e,
      });
    }
  }

  onFrame(listener: (frame: CanFrame) => void): () => void {
    return this.frames.add(listener);
  }

  onClose(listener: CanBusCloseListener): () => void {
    return this.closes.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.finish(undefined);
    try {
      this.channel.stop();
    } catch {
      // already stopped
    }
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.emit(error);
    this.frames.clear();
    this.closes.clear();
  }
}

/**
 * Opens a SocketCAN raw channel. Fails with a {@link CanBusError} that names the interface and
 * says how to bring it up when the interface is missing or down, or the kernel has no AF_CAN.
 */
export function openSocketCanBus(options: SocketCanBusOptions): CanBus {
  const { channel } = options;
  const bitrate = options.bitrate ?? 500_000;
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(channel)) {
    throw new CanBusError(`socketcan: invalid interface name "${channel}"`);
  }
  if (!existsSync(`${SYS_NET}/${channel}`)) {
    throw new CanBusError(
      `socketcan: CAN interface "${channel}" does not exist on this host; load the driver of your CAN adapter and ${bringUpHint(channel, bitrate)}`,
    );
  }
  const state = operState(channel);
  if (state === 'down') {
    throw new CanBusError(`socketcan: CAN interface "${channel}" is down; ${bringUpHint(channel, bitrate)}`);
  }
  const mod = loadSocketCan();
  let raw: RawChannel;
  try {
    raw = mod.createRawChannel(channel, false);
    raw.start();
  } catch (e) {
    throw new CanBusError(
      `socketcan: cannot open a raw CAN socket on "${channel}" (${(e as Error).message}); the kernel may lack CAN support (AF_CAN: modprobe can can_raw) or "${channel}" is not a CAN interface; ${bringUpHint(channel, bitrate)}`,
      { cause: e },
    );
  }
  return new SocketCanBus(raw, channel);
}
