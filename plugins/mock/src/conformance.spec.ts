import { describeDriverConformance } from '@imd-host/plugin-test-kit';
import plugin from './index';
import type { MockOptions } from './options';

describeDriverConformance<MockOptions>({
  plugin,
  options: { intervalMs: 50, resistanceOhm: 2_000_000, voltageV: 400, selfTestDurationMs: 100, selfTestResult: true },
  invalidOptions: [
    { intervalMs: 5 },
    { colour: 'red' },
    { scenario: { steps: [{ atMs: 0, raiseError: { type: 'Bogus' } }] } },
  ],
});
