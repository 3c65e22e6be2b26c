import { ServerSerial, ServerTCP, type IServiceVector } from 'modbus-serial';
import { DEVICE_SIMULATORS, type SimulatedDevice } from './device';

/** Where the simulator listens. */
export type SimulatorEndpoint =
  | { readonly tcp: { readonly host?: string; readonly port: number } }
  | {
      readonly rtu: {
        readonly path: string;
        readonly baudRate?: number;
        readonly parity?: 'none' | 'even' | 'odd';
        readonly stopBits?: 1 | 2;
      };
    };

class NoSuchUnit extends Error {
  readonly modbusErrorCode = 11; // gateway target device failed to respond
}

/**
 * A Modbus device simulator: one or more simulated IMDs (by unit id) behind a Modbus TCP
 * server or an RTU slave on a serial port. Tests and integrators change the devices' state
 * through `device(unitId).state`.
 */
export class ModbusDeviceSimulator {
  private server: ServerTCP | ServerSerial | undefined;
  private readonly devices = new Map<number, SimulatedDevice>();

  constructor(units: Record<number, string>) {
    for (const [unit, preset] of Object.entries(units)) {
      const make = DEVICE_SIMULATORS[preset];
      if (!make)
        throw new Error(`no simulator for preset "${preset}" (have: ${Object.keys(DEVICE_SIMULATORS).join(', ')})`);
      this.devices.set(Number(unit), make());
    }
  }

  device(unitId: number): SimulatedDevice {
    const d = this.devices.get(unitId);
    if (!d) throw new Error(`no simulated device with unit id ${unitId}`);
    return d;
  }

  get isRunning(): boolean {
    return this.server !== undefined;
  }

  /** Start serving (again). */
  async start(endpoint: SimulatorEndpoint): Promise<void> {
    if (this.server) return;
    const vector = this.vector();
    if ('tcp' in endpoint) {
      const server = new ServerTCP(vector, {
        host: endpoint.tcp.host ?? '127.0.0.1',
        port: endpoint.tcp.port,
        unitID: 255,
      });
      await new Promise<void>((resolve, reject) => {
        server.on('initialized', () => resolve());
        server.on('serverError', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      });
      server.on('socketError', () => undefined);
      this.server = server;
    } else {
      const r = endpoint.rtu;
      const server = new ServerSerial(vector, {
        path: r.path,
        baudRate: r.baudRate ?? 19200,
        parity: r.parity ?? 'even',
        dataBits: 8,
        stopBits: r.stopBits ?? 1,
        unitID: 255,
        // End of a request frame: 3.5 character times of silence, as Modbus RTU says (the
        // library's default of 30 ms would add 30 ms to every request).
        interval: Math.max(2, Math.ceil((3.5 * 11 * 1000) / (r.baudRate ?? 19200))),
      } as ConstructorParameters<typeof ServerSerial>[1]);
      await new Promise<void>((resolve, reject) => {
        server.on('initialized', () => resolve());
        server.on('error', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      });
      server.on('error', () => undefined);
      server.on('socketError', () => undefined);
      this.server = server;
    }
  }

  /** Stop serving (as if the device were switched off); devices keep their state. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    if (s instanceof ServerTCP) for (const sock of s.socks.keys()) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.stop();
    for (const d of this.devices.values()) d.dispose();
  }

  private unit(unitID: number): SimulatedDevice {
    const d = this.devices.get(unitID);
    if (!d) throw new NoSuchUnit(`no unit ${unitID}`);
    return d;
  }

  private vector(): IServiceVector {
    // Callback forms: modbus-serial's server takes a promise only per register, not per block.
    type Cb<T> = (err: Error | null, value: T) => void;
    const answer = <T>(unitID: number, cb: Cb<T>, f: (d: SimulatedDevice) => T): void => {
      let d: SimulatedDevice;
      let value: T;
      try {
        d = this.unit(unitID);
        if (d.state.silent) return; // no answer at all: the client times out
        value = f(d);
      } catch (err) {
        // modbus-serial ignores the value when there is an error.
        cb(err instanceof Error ? err : new Error(String(err)), undefined as unknown as T);
        return;
      }
      cb(null, value);
    };
    const range = (len: number, get: (i: number) => number): number[] => Array.from({ length: len }, (_, i) => get(i));
    return {
      getMultipleHoldingRegisters: (addr: number, len: number, unitID: number, cb: Cb<number[]>) =>
        answer(unitID, cb, (d) => range(len, (i) => d.readHolding(addr + i))),
      getMultipleInputRegisters: (addr: number, len: number, unitID: number, cb: Cb<number[]>) =>
        answer(unitID, cb, (d) => range(len, (i) => d.readInput(addr + i))),
      getHoldingRegister: (addr: number, unitID: number, cb: Cb<number>) =>
        answer(unitID, cb, (d) => d.readHolding(addr)),
      getInputRegister: (addr: number, unitID: number, cb: Cb<number>) => answer(unitID, cb, (d) => d.readInput(addr)),
      setRegister: (addr: number, value: number, unitID: number, cb: (err: Error | null) => void) =>
        answer<void>(
          unitID,
          (err) => cb(err),
          (d) => d.write(addr, value),
        ),
      setRegisterArray: (addr: number, values: number[], unitID: number, cb: (err: Error | null) => void) =>
        answer<void>(
          unitID,
          (err) => cb(err),
          (d) => values.forEach((v, i) => d.write(addr + i, v)),
        ),
    };
  }
}
