export { runHost, validateConfig, EXIT } from './run';
export { simulateDevice, collectSimulators } from './simulate';
export { listPlugins } from './list-plugins';
