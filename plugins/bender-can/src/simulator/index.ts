export { Iso165cSimulator } from './iso165c-simulator';
export type { Iso165cSimulatorOptions, SelfTestBehaviour } from './iso165c-simulator';
export { SlcanAdapterSimulator } from './slcan-adapter';
export { parseSimulatorArgs, runSimulatorCommand, startSlcanSimulation, SIMULATOR_USAGE } from './run';
export type { SlcanSimulation } from './run';
