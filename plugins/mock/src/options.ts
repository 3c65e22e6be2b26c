import type { ErrorType, JsonSchema } from '@imd-host/sdk';

/** Values a scenario step may change. */
export interface MockValues {
  resistanceOhm?: number;
  voltageV?: number;
  voltageToEarthL1eV?: number;
  voltageToEarthL2eV?: number;
  selfTestResult?: boolean;
  selfTestDurationMs?: number;
}

/** One step of a scenario: at `atMs` after `open()`, exactly one action. */
export type ScenarioStep =
  | { atMs: number; set: MockValues }
  | { atMs: number; raiseError: { type: ErrorType; subType?: string; message?: string } }
  | { atMs: number; clearError: { type: ErrorType; subType?: string } }
  | { atMs: number; deviceSilent: boolean }
  | { atMs: number; selfTestHangs: boolean };

export interface MockOptions {
  intervalMs: number;
  resistanceOhm: number;
  voltageV?: number;
  voltageToEarthL1eV?: number;
  voltageToEarthL2eV?: number;
  selfTestDurationMs: number;
  selfTestResult: boolean;
  scenario?: { steps: ScenarioStep[]; repeat: boolean; periodMs?: number };
}

const errorType = { enum: ['DeviceFault', 'CommunicationFault', 'VendorError', 'VendorWarning'] };
const volt = { type: 'number' };
const values = {
  resistanceOhm: { type: 'number', minimum: 0 },
  voltageV: volt,
  voltageToEarthL1eV: volt,
  voltageToEarthL2eV: volt,
};

const step = (action: string, schema: Record<string, unknown>): Record<string, unknown> => ({
  type: 'object',
  additionalProperties: false,
  required: ['atMs', action],
  properties: { atMs: { type: 'integer', minimum: 0 }, [action]: schema },
});

/** JSON schema of the mock plugin's options. */
export const mockOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    intervalMs: { type: 'integer', minimum: 10, default: 1000, description: 'measurement period while started' },
    ...values,
    resistanceOhm: { ...values.resistanceOhm, default: 1_000_000 },
    selfTestDurationMs: { type: 'integer', minimum: 0, default: 2000 },
    selfTestResult: { type: 'boolean', default: true },
    scenario: {
      type: 'object',
      additionalProperties: false,
      required: ['steps'],
      properties: {
        repeat: { type: 'boolean', default: false },
        periodMs: {
          type: 'integer',
          minimum: 1,
          description: 'loop period with repeat (default: last atMs + intervalMs)',
        },
        steps: {
          type: 'array',
          items: {
            oneOf: [
              step('set', {
                type: 'object',
                additionalProperties: false,
                minProperties: 1,
                properties: {
                  ...values,
                  selfTestResult: { type: 'boolean' },
                  selfTestDurationMs: { type: 'integer', minimum: 0 },
                },
              }),
              step('raiseError', {
                type: 'object',
                additionalProperties: false,
                required: ['type'],
                properties: { type: errorType, subType: { type: 'string' }, message: { type: 'string' } },
              }),
              step('clearError', {
                type: 'object',
                additionalProperties: false,
                required: ['type'],
                properties: { type: errorType, subType: { type: 'string' } },
              }),
              step('deviceSilent', { type: 'boolean' }),
              step('selfTestHangs', { type: 'boolean' }),
            ],
          },
        },
      },
    },
  },
};

/** Example options, each valid against {@link mockOptionsSchema}. */
export const mockOptionsExamples: MockOptions[] = [
  { intervalMs: 1000, resistanceOhm: 2_000_000, voltageV: 400, selfTestDurationMs: 2000, selfTestResult: true },
  {
    intervalMs: 500,
    resistanceOhm: 5_000_000,
    voltageV: 800,
    voltageToEarthL1eV: 400,
    voltageToEarthL2eV: -400,
    selfTestDurationMs: 1000,
    selfTestResult: true,
    scenario: {
      repeat: true,
      steps: [
        { atMs: 0, set: { resistanceOhm: 5_000_000 } },
        { atMs: 5000, set: { resistanceOhm: 80_000 } },
        { atMs: 8000, raiseError: { type: 'DeviceFault', subType: 'E01', message: 'measuring circuit fault' } },
        { atMs: 10000, clearError: { type: 'DeviceFault', subType: 'E01' } },
        { atMs: 12000, deviceSilent: true },
        { atMs: 15000, deviceSilent: false },
        { atMs: 16000, selfTestHangs: true },
        { atMs: 20000, selfTestHangs: false },
      ],
    },
  },
];
