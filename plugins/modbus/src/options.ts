import type { JsonSchema } from '@imd-host/sdk';
import type { LineAddress } from './line';
import { PRESETS } from './presets';
import { registerMapSchema, type RegisterMap } from './register-map';

export interface ModbusOptions {
  connection: LineAddress;
  unitId: number;
  preset?: string;
  /** A full register map (no preset) or overrides of single fields of the preset (deep-merged). */
  registers?: Record<string, unknown>;
  pollIntervalMs: number;
  timeoutMs: number;
  retries: number;
  commFaultAfterFailures: number;
  idleCheckIntervalMs: number;
}

/** JSON schema of the modbus plugin's options. */
export const modbusOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connection', 'unitId'],
  properties: {
    connection: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'path'],
          properties: {
            type: { const: 'rtu' },
            path: { type: 'string', minLength: 1 },
            baudRate: { type: 'integer', enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200], default: 19200 },
            parity: { enum: ['none', 'even', 'odd'], default: 'even' },
            dataBits: { enum: [7, 8], default: 8 },
            stopBits: { enum: [1, 2], default: 1 },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'host'],
          properties: {
            type: { const: 'tcp' },
            host: { type: 'string', minLength: 1 },
            port: { type: 'integer', minimum: 1, maximum: 65535, default: 502 },
          },
        },
      ],
    },
    unitId: { type: 'integer', minimum: 0, maximum: 247 },
    preset: { enum: Object.keys(PRESETS) },
    registers: { type: 'object' },
    pollIntervalMs: { type: 'integer', minimum: 50, default: 1000 },
    timeoutMs: { type: 'integer', minimum: 20, maximum: 10000, default: 500 },
    retries: { type: 'integer', minimum: 0, maximum: 5, default: 1 },
    commFaultAfterFailures: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    idleCheckIntervalMs: { type: 'integer', minimum: 100, default: 5000 },
  },
  // Without a preset, `registers` must be a complete map.
  if: { not: { required: ['preset'] } },
  then: { required: ['registers'], properties: { registers: registerMapSchema } },
};

/**
 * The connection with its defaults (ajv does not apply defaults inside `oneOf`):
 * RTU 19200 baud, even parity, 8 data bits, 1 stop bit; TCP port 502.
 */
export function withConnectionDefaults(c: LineAddress | Record<string, unknown>): LineAddress {
  const x = c as Record<string, unknown>;
  if (x.type === 'tcp') return { type: 'tcp', host: String(x.host), port: typeof x.port === 'number' ? x.port : 502 };
  return {
    type: 'rtu',
    path: String(x.path),
    baudRate: typeof x.baudRate === 'number' ? x.baudRate : 19200,
    parity: (x.parity as 'none' | 'even' | 'odd' | undefined) ?? 'even',
    dataBits: (x.dataBits as 7 | 8 | undefined) ?? 8,
    stopBits: (x.stopBits as 1 | 2 | undefined) ?? 1,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `over` merged in: objects field by field, anything else (arrays too) replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The register map a module uses: the preset with the overrides, or the user's full map. */
export function effectiveMap(options: Pick<ModbusOptions, 'preset' | 'registers'>): unknown {
  const preset = options.preset ? PRESETS[options.preset] : undefined;
  return preset ? deepMerge(structuredClone(preset), options.registers ?? {}) : options.registers;
}

export type { RegisterMap };

export const modbusOptionsExamples: ModbusOptions[] = [
  {
    connection: { type: 'rtu', path: '/dev/ttyUSB0', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
    unitId: 3,
    preset: 'bender-isocha425hv',
    pollIntervalMs: 1000,
    timeoutMs: 500,
    retries: 1,
    commFaultAfterFailures: 3,
    idleCheckIntervalMs: 5000,
  },
  {
    connection: { type: 'tcp', host: '192.0.2.10', port: 502 },
    unitId: 1,
    preset: 'dold-rn5893',
    registers: { selfTest: { timeoutMs: 20000 } },
    pollIntervalMs: 1000,
    timeoutMs: 500,
    retries: 1,
    commFaultAfterFailures: 3,
    idleCheckIntervalMs: 5000,
  },
];
