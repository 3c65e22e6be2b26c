import { SerialPort } from 'serialport';
import { openPtyPair, requireSocat, type PtyPair } from '../../../../test/support/pty';
import { SlcanAdapterSimulator } from '../simulator/slcan-adapter';
import { sleep, waitFor } from '../testing/wait-for';
import { openCanBus } from './open';
import { CanBusError, type CanBus, type CanFrame } from './types';

describe('slcan bus over a pty pair', () => {
  let pty: PtyPair | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(() => {
    requireSocat(); // fails with an install hint; never skips
  });

  beforeEach(async () => {
    pty = await openPtyPair();
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await pty?.close();
  });

  async function adapterWithPeer(): Promise<{ adapter: SlcanAdapterSimulator; peer: CanBus }> {
    const name = `slcan-spec-${Date.now()}-${Math.random()}`;
    const adapterSide = await openCanBus({ type: 'memory', name });
    const peer = await openCanBus({ type: 'memory', name });
    const adapter = await SlcanAdapterSimulator.open(pty!.b, adapterSide);
    cleanups.push(async () => {
      await adapter.close();
      await adapterSide.close();
      await peer.close();
    });
    return { adapter, peer };
  }

  it('sets the bitrate, opens the channel and exchanges standard and extended frames', async () => {
    const { adapter, peer } = await adapterWithPeer();
    const bus = await openCanBus({ type: 'slcan', path: pty!.a, bitrate: 250_000 });
    cleanups.push(() => bus.close());
    expect(adapter.status).toEqual({ open: true, bitrate: 250_000 });
    expect(bus.description).toBe(`slcan ${pty!.a}`);

    const atPeer: CanFrame[] = [];
    const atHost: CanFrame[] = [];
    peer.onFrame((f) => atPeer.push(f));
    bus.onFrame((f) => atHost.push(f));
    await bus.send({ id: 0x22, extended: false, data: Uint8Array.from([0xca, 0, 0, 0, 0, 0, 0, 0]) });
    await bus.send({ id: 0x1abcdef0, extended: true, data: Uint8Array.from([1, 2, 3]) });
    await waitFor(() => atPeer.length === 2, 'frames at the peer');
    expect(atPeer).toEqual([
      { id: 0x22, extended: false, data: Uint8Array.from([0xca, 0, 0, 0, 0, 0, 0, 0]) },
      { id: 0x1abcdef0, extended: true, data: Uint8Array.from([1, 2, 3]) },
    ]);
    await peer.send({ id: 0x37, extended: false, data: Uint8Array.from([0xd0, 0x07, 0, 0, 0, 0]) });
    await peer.send({ id: 0x18ff50e5, extended: true, data: new Uint8Array(0) });
    await waitFor(() => atHost.length === 2, 'frames at the host');
    expect(atHost[0]).toEqual({ id: 0x37, extended: false, data: Uint8Array.from([0xd0, 0x07, 0, 0, 0, 0]) });
    expect(atHost[1]).toEqual({ id: 0x18ff50e5, extended: true, data: new Uint8Array(0) });

    await bus.close();
    await waitFor(() => !adapter.status.open, 'adapter channel closed by C');
    await expect(bus.send({ id: 1, extended: false, data: new Uint8Array(0) })).rejects.toThrow(CanBusError);
  });

  it('ignores garbage and partial lines from the adapter', async () => {
    const raw = new SerialPort({ path: pty!.b, baudRate: 115200, autoOpen: false });
    raw.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => raw.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    // A minimal adapter: ack every command line.
    raw.on('data', (chunk: Buffer) => {
      const acks = chunk.toString('latin1').split('\r').length - 1;
      raw.write('\r'.repeat(acks));
    });
    const bus = await openCanBus({ type: 'slcan', path: pty!.a, bitrate: 500_000 });
    cleanups.push(() => bus.close());
    const got: CanFrame[] = [];
    bus.onFrame((f) => got.push(f));
    raw.write(Buffer.concat([Buffer.from('xyz\rt02'), Buffer.from([0, 0xff]), Buffer.from('31FF\rt9991\r')]));
    raw.write('t0371');
    await sleep(50);
    raw.write('AB\r');
    await waitFor(() => got.length === 1, 'the one valid frame');
    await sleep(100);
    expect(got).toEqual([{ id: 0x37, extended: false, data: Uint8Array.from([0xab]) }]);
  });

  it('fails clearly when the adapter answers BEL to the bitrate command', async () => {
    const raw = new SerialPort({ path: pty!.b, baudRate: 115200, autoOpen: false });
    raw.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => raw.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    raw.on('data', () => raw.write('\x07'));
    await expect(openCanBus({ type: 'slcan', path: pty!.a, bitrate: 500_000 })).rejects.toThrow(
      /rejected command "S6" \(BEL\)/,
    );
  });

  it('fails clearly when nothing answers on the port', async () => {
    await expect(openCanBus({ type: 'slcan', path: pty!.a, bitrate: 500_000, commandTimeoutMs: 200 })).rejects.toThrow(
      /did not acknowledge "S6".*is it an slcan adapter/,
    );
  });

  it('fails clearly for a missing serial device', async () => {
    await expect(openCanBus({ type: 'slcan', path: '/dev/does-not-exist-42', bitrate: 500_000 })).rejects.toThrow(
      /slcan \/dev\/does-not-exist-42: cannot open serial port/,
    );
  });

  it('rejects a bitrate slcan has no command for', async () => {
    await adapterWithPeer();
    await expect(openCanBus({ type: 'slcan', path: pty!.a, bitrate: 333_333 })).rejects.toThrow(
      /not supported by slcan/,
    );
  });

  it('reports losing the serial port: sends fail with a CanBusError and close listeners are told', async () => {
    await adapterWithPeer();
    const bus = await openCanBus({ type: 'slcan', path: pty!.a, bitrate: 500_000 });
    cleanups.push(() => bus.close());
    const closed: (Error | undefined)[] = [];
    bus.onClose((e) => closed.push(e));
    await pty!.close(); // the "adapter" disappears
    // Reads on a hung-up pty may just see EOF; the next write fails for sure.
    let sendError: unknown;
    const deadline = Date.now() + 5000;
    while (sendError === undefined && Date.now() < deadline) {
      sendError = await bus.send({ id: 0x22, extended: false, data: new Uint8Array(8) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await sleep(50);
    }
    expect(sendError).toBeInstanceOf(CanBusError);
    expect((sendError as Error).message).toContain(`slcan ${pty!.a}`);
    await waitFor(() => closed.length === 1, 'close notification', 5000);
    expect(closed[0]?.message).toMatch(/\S/); // the transport's reason (e.g. EIO), not undefined
  });
});
