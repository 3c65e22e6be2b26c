import { describeDriverConformance } from '@imd-host/plugin-test-kit';
import { freePort } from '../../../test/support/broker';
import plugin from './index';
import type { ModbusOptions } from './options';
import { ModbusDeviceSimulator } from './simulator/server';

interface Sim {
  sim: ModbusDeviceSimulator;
  port: number;
}

describeDriverConformance<ModbusOptions, Sim>({
  plugin,
  device: {
    start: async () => {
      const port = await freePort();
      const sim = new ModbusDeviceSimulator({ 3: 'bender-isocha425hv' });
      sim.device(3).state.selfTestDurationMs = 300;
      await sim.start({ tcp: { port } });
      return { sim, port };
    },
    stop: async ({ sim }) => sim.close(),
  },
  options: ({ port }) => ({
    connection: { type: 'tcp', host: '127.0.0.1', port },
    unitId: 3,
    preset: 'bender-isocha425hv',
    pollIntervalMs: 100,
    timeoutMs: 200,
    retries: 0,
    commFaultAfterFailures: 3,
    idleCheckIntervalMs: 200,
  }),
  invalidOptions: [{ connection: { type: 'tcp', host: 'x' }, unitId: 999, preset: 'dold-rn5893' }],
  injectFault: ({ sim }, on) => {
    sim.device(3).state.deviceFault = on ? 1 : 0;
  },
});
