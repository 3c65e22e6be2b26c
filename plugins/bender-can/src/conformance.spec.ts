import { describeDriverConformance } from '@imd-host/plugin-test-kit';
import { openCanBus, type CanBus } from './bus';
import plugin from './index';
import type { BenderCanOptions } from './options';
import { Iso165cSimulator } from './simulator/iso165c-simulator';
import { FAST_DRIVER, FAST_SIM } from './testing/harness';

interface Device {
  bus: CanBus;
  sim: Iso165cSimulator;
  name: string;
}

let n = 0;

describeDriverConformance<BenderCanOptions, Device>({
  plugin,
  device: {
    start: async () => {
      n += 1;
      const name = `conformance-${process.pid}-${n}`;
      const bus = await openCanBus({ type: 'memory', name });
      const sim = new Iso165cSimulator(bus, FAST_SIM);
      sim.start();
      return { bus, sim, name };
    },
    stop: async ({ bus, sim }) => {
      sim.stop();
      await bus.close();
    },
  },
  options: ({ name }) => ({ bus: { type: 'memory', name }, ...FAST_DRIVER }) as BenderCanOptions,
  invalidOptions: [{ bus: { type: 'socketcan' } }, { bus: { type: 'memory', name: 'x' }, pollIntervalMs: -1 }],
  injectFault: ({ sim }, on) => sim.setSystemFailure(on),
});
