/** One classic CAN frame (up to 8 data bytes). */
export interface CanFrame {
  /** 11-bit (standard) or 29-bit (extended) identifier. */
  readonly id: number;
  /** Whether `id` is a 29-bit extended identifier. */
  readonly extended: boolean;
  /** Remote transmission request (no data, `data.length` is the requested DLC). */
  readonly rtr?: boolean;
  /** 0..8 data bytes. */
  readonly data: Uint8Array;
}

/** Why a bus stopped working, handed to {@link CanBus.onClose} listeners. */
export type CanBusCloseListener = (error: Error | undefined) => void;

/** A connection to a CAN bus. Frames sent by this endpoint are not delivered back to it. */
export interface CanBus {
  /** Human-readable description for logs and errors, e.g. `socketcan can0`. */
  readonly description: string;
  /** Send one frame. Rejects with a {@link CanBusError} when the bus is closed or the transport fails. */
  send(frame: CanFrame): Promise<void>;
  /** Receive every frame seen on the bus; returns a function that removes the listener. */
  onFrame(listener: (frame: CanFrame) => void): () => void;
  /** Called once when the bus is lost (e.g. adapter unplugged) or closed; returns a remover. */
  onClose(listener: CanBusCloseListener): () => void;
  /** Release the transport and all listeners. Safe to call more than once. */
  close(): Promise<void>;
}

/** SocketCAN (Linux kernel CAN), through the optional `socketcan` npm package. */
export interface SocketCanBusOptions {
  readonly type: 'socketcan';
  /** Network interface, e.g. `can0`. */
  readonly channel: string;
  /** Only used in hints: the kernel interface's bitrate is set with `ip link`. */
  readonly bitrate?: number;
}

/** A Lawicel/slcan ASCII adapter on a serial port (CANable, USBtin, CANUSB, ...). */
export interface SlcanBusOptions {
  readonly type: 'slcan';
  /** Serial device, e.g. `/dev/ttyACM0`. */
  readonly path: string;
  /** CAN bitrate in bit/s; one of {@link SLCAN_BITRATES}. */
  readonly bitrate: number;
  /** Serial line speed (ignored by USB CDC adapters). */
  readonly serialBaudRate?: number;
  /** How long to wait for the adapter to acknowledge a command, in ms. */
  readonly commandTimeoutMs?: number;
}

/** An in-process bus: every endpoint opened with the same name sees the others' frames. */
export interface MemoryBusOptions {
  readonly type: 'memory';
  readonly name: string;
}

/** Which bus backend to open. */
export type CanBusOptions = SocketCanBusOptions | SlcanBusOptions | MemoryBusOptions;

/** Failure of a bus operation; `message` says what to do about it. */
export class CanBusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CanBusError';
  }
}

/** Checks the invariants of a frame; throws a {@link CanBusError} naming the problem. */
export function assertValidFrame(frame: CanFrame): void {
  const max = frame.extended ? 0x1fffffff : 0x7ff;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > max) {
    throw new CanBusError(`invalid CAN id ${frame.id} for a ${frame.extended ? 'extended' : 'standard'} frame`);
  }
  if (frame.data.length > 8) throw new CanBusError(`CAN frame data too long: ${frame.data.length} bytes (max 8)`);
}

/** Formats a frame for logs: `123#0102` / `12345678#` / `123#R`. */
export function formatFrame(frame: CanFrame): string {
  const id = frame.id
    .toString(16)
    .toUpperCase()
    .padStart(frame.extended ? 8 : 3, '0');
  if (frame.rtr) return `${id}#R${frame.data.length}`;
  return `${id}#${Buffer.from(frame.data).toString('hex').toUpperCase()}`;
}
