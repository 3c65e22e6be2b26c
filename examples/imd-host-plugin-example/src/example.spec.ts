import { describeDriverConformance } from '@imd-host/plugin-test-kit';
import plugin, { AcmeSimulator, formatReading, parseReading, type AcmeOptions } from './index';

test('protocol: readings parse and format', () => {
  expect(parseReading('R=1234567;U=400.0;OK')).toEqual({ resistanceOhm: 1234567, voltageV: 400, error: undefined });
  expect(parseReading('R=---;U=400.0;ERR=E12')).toEqual({ resistanceOhm: undefined, voltageV: 400, error: 'E12' });
  expect(() => parseReading('R=abc;OK')).toThrow('malformed R');
  expect(() => parseReading('garbage')).toThrow();
  expect(formatReading({ resistanceOhm: 5, voltageV: undefined, error: 'E1' })).toBe('R=5;U=---;ERR=E1');
});

describeDriverConformance<AcmeOptions, { sim: AcmeSimulator; port: number }>({
  plugin,
  device: {
    start: async () => {
      const sim = new AcmeSimulator();
      const port = await sim.start();
      return { sim, port };
    },
    stop: async ({ sim }) => sim.stop(),
  },
  options: ({ port }) => ({
    host: '127.0.0.1',
    port,
    pollIntervalMs: 100,
    timeoutMs: 200,
    commFaultAfterFailures: 3,
    selfTestTimeoutMs: 2000,
  }),
  invalidOptions: [{}, { host: 'x', port: 0 }, { host: 'x', colour: 'red' }],
  injectFault: ({ sim }, on) => {
    sim.error = on ? 'E12' : undefined;
  },
});
