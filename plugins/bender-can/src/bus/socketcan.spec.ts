import { existsSync } from 'node:fs';
import { openCanBus } from './open';
import { CanBusError } from './types';

// This machine has no can0 (and no AF_CAN): the backend must fail with a clear error, not crash.
describe('socketcan backend without kernel CAN', () => {
  it('names a missing interface and says how to bring it up', async () => {
    expect(existsSync('/sys/class/net/can0')).toBe(false);
    const err = await openCanBus({ type: 'socketcan', channel: 'can0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CanBusError);
    expect((err as Error).message).toMatch(/"can0"/);
    expect((err as Error).message).toContain('ip link set can0 up type can bitrate 500000');
  });

  it('uses the configured bitrate in the hint', async () => {
    await expect(openCanBus({ type: 'socketcan', channel: 'can1', bitrate: 250_000 })).rejects.toThrow(
      'ip link set can1 up type can bitrate 250000',
    );
  });

  it('turns a failing raw CAN socket (no AF_CAN, or not a CAN interface) into a clear error', async () => {
    const err = await openCanBus({ type: 'socketcan', channel: 'lo' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CanBusError);
    expect((err as Error).message).toMatch(/cannot open a raw CAN socket on "lo".*AF_CAN.*ip link set lo up type can/);
  });

  it('rejects interface names that cannot be interfaces', async () => {
    await expect(openCanBus({ type: 'socketcan', channel: '../etc' })).rejects.toThrow(/invalid interface name/);
  });
});
