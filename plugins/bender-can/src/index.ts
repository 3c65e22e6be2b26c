import { definePlugin, SDK_VERSION, type DeviceSimulatorCommand, type PluginDescriptor } from '@imd-host/sdk';
import { Iso165cDriver } from './driver';
import { optionsExamples, optionsSchema, resolveOptions, type BenderCanOptions } from './options';
import { runSimulatorCommand, SIMULATOR_USAGE } from './simulator/run';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string };

const iso165cSimulator: DeviceSimulatorCommand = {
  name: 'bender-iso165c',
  description: 'Bender iso165C on CAN, reached through a simulated slcan adapter on a serial port/pty',
  usage: SIMULATOR_USAGE,
  run: runSimulatorCommand,
};

/** The bender-can plugin: Bender iso165C / iso165C-1 over CAN (SocketCAN or slcan). */
export const plugin: PluginDescriptor<BenderCanOptions> = definePlugin<BenderCanOptions>({
  name: '@imd-host/plugin-bender-can',
  version: pkg.version,
  sdkVersion: SDK_VERSION,
  description: 'Bender iso165C / iso165C-1 insulation monitor over CAN (SocketCAN or slcan serial adapter)',
  optionsSchema,
  optionsExamples,
  createDriver: (options, context) => new Iso165cDriver(resolveOptions(options), context),
  simulators: [iso165cSimulator],
});

export default plugin;

export type { BenderCanOptions, Model, ProtocolOptions, VoltageSource } from './options';
export { Iso165cSimulator, startSlcanSimulation } from './simulator';
export type { Iso165cSimulatorOptions, SelfTestBehaviour, SlcanSimulation } from './simulator';
export { CanBusError, openCanBus } from './bus';
export type { CanBus, CanBusOptions, CanFrame } from './bus';
