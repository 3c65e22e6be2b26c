import { SDK_VERSION, definePlugin } from '@imd-host/sdk';
import { MockDriver } from './driver';
import { mockOptionsExamples, mockOptionsSchema, type MockOptions } from './options';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** The mock plugin: a simulated IMD with scripted fault scenarios, for CI and demos. */
export const plugin = definePlugin<MockOptions>({
  name: '@imd-host/plugin-mock',
  version,
  sdkVersion: SDK_VERSION,
  description: 'Simulated IMD with scripted measurements and faults (CI, demos)',
  optionsSchema: mockOptionsSchema,
  optionsExamples: mockOptionsExamples,
  createDriver: (options, ctx) => new MockDriver(options, ctx),
});

export default plugin;
export { MockDriver, scenarioProblem } from './driver';
export type { MockOptions, MockValues, ScenarioStep } from './options';
