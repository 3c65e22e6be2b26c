import type { Driver } from '@imd-host/sdk';
import { openCanBus, type CanBus } from '../bus';
import plugin from '../index';
import type { BenderCanOptions } from '../options';
import { Iso165cSimulator, type Iso165cSimulatorOptions } from '../simulator/iso165c-simulator';
import { RecordingContext } from './recording-context';

/** Fast timings for tests: the device sends IMD_Info every 100 ms. */
export const FAST_SIM: Iso165cSimulatorOptions = { infoIntervalMs: 100, selfTestDurationMs: 400 };
export const FAST_DRIVER: Partial<BenderCanOptions> = {
  pollIntervalMs: 200,
  responseTimeoutMs: 150,
  requestAttempts: 2,
  infoTimeoutMs: 600,
  selfTestTimeoutMs: 3000,
};

let counter = 0;

/** A driver and a simulator on a fresh memory bus. */
export interface MemoryRig {
  readonly ctx: RecordingContext;
  readonly driver: Driver;
  readonly busName: string;
  sim: Iso165cSimulator | undefined;
  /** Adds the simulated device to the bus (when created without it). */
  attachDevice(options?: Iso165cSimulatorOptions): Promise<Iso165cSimulator>;
  dispose(): Promise<void>;
}

export async function memoryRig(
  driverOptions: Partial<BenderCanOptions> = {},
  simOptions: Iso165cSimulatorOptions | false = {},
): Promise<MemoryRig> {
  counter += 1;
  const busName = `rig-${process.pid}-${counter}`;
  const ctx = new RecordingContext();
  const driver = plugin.createDriver({ bus: { type: 'memory', name: busName }, ...FAST_DRIVER, ...driverOptions }, ctx);
  let simBus: CanBus | undefined;
  const rig: MemoryRig = {
    ctx,
    driver,
    busName,
    sim: undefined,
    attachDevice: async (options = {}) => {
      simBus = await openCanBus({ type: 'memory', name: busName });
      rig.sim = new Iso165cSimulator(simBus, { ...FAST_SIM, ...options });
      rig.sim.start();
      return rig.sim;
    },
    dispose: async () => {
      await driver.close();
      rig.sim?.stop();
      await simBus?.close();
    },
  };
  if (simOptions !== false) await rig.attachDevice(simOptions);
  return rig;
}
