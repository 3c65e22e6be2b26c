import { silentLogger } from '@imd-host/sdk';
import { openPtyPair, requireSocat } from '../../../../test/support/pty';
import { openCanBus, type CanFrame } from '../bus';
import plugin from '../index';
import { decodeInfo } from '../iso165c/protocol';
import { waitFor } from '../testing/wait-for';
import { parseSimulatorArgs } from './run';

describe('simulate-device bender-iso165c', () => {
  const command = plugin.simulators?.find((s) => s.name === 'bender-iso165c');

  it('is declared with usage text', () => {
    expect(command).toBeDefined();
    expect(command?.usage).toContain('--slcan <path>');
  });

  it('parses its arguments', () => {
    expect(parseSimulatorArgs(['--slcan', '/dev/pts/5', '--resistance-kohm', '150', '--voltage=400'])).toEqual({
      slcan: '/dev/pts/5',
      options: { resistanceKOhm: 150, hv1V: 400 },
    });
  });

  it.each<[string[], RegExp]>([
    [[], /missing --slcan <path>/],
    [['--slcan'], /--slcan needs a serial device path/],
    [['--slcan', '--voltage', '3'], /--slcan needs a serial device path/],
    [['--slcan', '/dev/x', '--resistance-kohm', 'lots'], /--resistance-kohm must be an integer 0..65535, got "lots"/],
    [['--slcan', '/dev/x', '--voltage', '-1'], /--voltage must be an integer/],
    [['--slcan', '/dev/x', '--info-interval-ms'], /--info-interval-ms needs a value/],
    [['--slcan', '/dev/x', '--bogus'], /unknown argument "--bogus"/],
  ])('rejects %j', async (argv, message) => {
    await expect(command!.run(argv, new AbortController().signal, silentLogger)).rejects.toThrow(message);
  });

  it('rejects a serial device that does not exist', async () => {
    await expect(
      command!.run(['--slcan', '/dev/no-such-pty-42'], new AbortController().signal, silentLogger),
    ).rejects.toThrow(/cannot open \/dev\/no-such-pty-42/);
  });

  it('serves an iso165C over slcan on a pty until aborted', async () => {
    requireSocat();
    const pty = await openPtyPair();
    const abort = new AbortController();
    const running = command!.run(
      ['--slcan', pty.b, '--resistance-kohm', '321', '--info-interval-ms', '100'],
      abort.signal,
      silentLogger,
    );
    try {
      const bus = await (async () => {
        const deadline = Date.now() + 5000;
        for (;;) {
          try {
            return await openCanBus({ type: 'slcan', path: pty.a, bitrate: 500_000 });
          } catch (e) {
            if (Date.now() > deadline) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      })();
      const frames: CanFrame[] = [];
      bus.onFrame((f) => frames.push(f));
      await waitFor(() => frames.some((f) => f.id === 0x37), 'IMD_Info');
      expect(decodeInfo(frames.find((f) => f.id === 0x37)!.data)?.resistanceKOhm).toBe(321);
      await bus.close();
    } finally {
      abort.abort();
      await running;
      await pty.close();
    }
  });
});
