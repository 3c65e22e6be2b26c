import type { JsonSchema } from '@imd-host/sdk';
import type { CanBusOptions } from './bus';
import { SLCAN_BITRATES } from './bus/slcan-codec';
import { DEFAULT_IDS, ERROR_THRESHOLD_KOHM, MEAN_FACTOR, WARNING_THRESHOLD_KOHM } from './iso165c/protocol';

/** Device variants: the iso165C-1 has coupling relays the driver closes/opens. */
export type Model = 'iso165c' | 'iso165c-1';

/** Which HV channel feeds `voltageV` (or none). */
export type VoltageSource = 'hv1' | 'hv2' | 'none';

/** Options of a bender-can module, as written in the host config. */
export interface BenderCanOptions {
  readonly bus: CanBusOptions;
  readonly model?: Model;
  readonly pollIntervalMs?: number;
  readonly responseTimeoutMs?: number;
  readonly requestAttempts?: number;
  readonly infoTimeoutMs?: number;
  readonly selfTestTimeoutMs?: number;
  readonly voltage?: VoltageSource;
  readonly thresholds?: { readonly errorOhm?: number; readonly warningOhm?: number };
  readonly meanFactor?: number;
  readonly protocol?: Partial<ProtocolOptions>;
}

/** The frame model: CAN ids and the CTL_MEASUREMENT mode values (unverified on hardware). */
export interface ProtocolOptions {
  readonly requestId: number;
  readonly responseId: number;
  readonly infoId: number;
  readonly measurementStartValue: number;
  readonly measurementStopValue: number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly bus: CanBusOptions;
  readonly model: Model;
  readonly pollIntervalMs: number;
  readonly responseTimeoutMs: number;
  readonly requestAttempts: number;
  readonly infoTimeoutMs: number;
  readonly selfTestTimeoutMs: number;
  readonly voltage: VoltageSource;
  readonly thresholds: { readonly errorOhm?: number; readonly warningOhm?: number };
  readonly meanFactor?: number;
  readonly protocol: ProtocolOptions;
}

export const DEFAULTS = {
  model: 'iso165c',
  pollIntervalMs: 1000,
  responseTimeoutMs: 200,
  requestAttempts: 3,
  infoTimeoutMs: 3000,
  selfTestTimeoutMs: 30_000,
  voltage: 'hv1',
  slcanBitrate: 500_000,
  serialBaudRate: 115_200,
  protocol: {
    requestId: DEFAULT_IDS.request,
    responseId: DEFAULT_IDS.response,
    infoId: DEFAULT_IDS.info,
    measurementStartValue: 1,
    measurementStopValue: 0,
  },
} as const;

const canId = { type: 'integer', minimum: 0, maximum: 0x7ff };

/** JSON schema (draft-07) of {@link BenderCanOptions}. */
export const optionsSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['bus'],
  properties: {
    bus: {
      description: 'CAN bus backend',
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { enum: ['socketcan', 'slcan', 'memory'] },
        channel: { type: 'string', minLength: 1, maxLength: 15, description: 'socketcan: interface, e.g. can0' },
        path: { type: 'string', minLength: 1, description: 'slcan: serial device, e.g. /dev/ttyACM0' },
        bitrate: {
          type: 'integer',
          enum: Object.keys(SLCAN_BITRATES).map(Number),
          default: DEFAULTS.slcanBitrate,
          description: 'CAN bitrate in bit/s (slcan sets it on the adapter; socketcan only uses it in hints)',
        },
        serialBaudRate: { type: 'integer', minimum: 1200, default: DEFAULTS.serialBaudRate },
        name: { type: 'string', minLength: 1, description: 'memory: bus name (tests and simulation)' },
      },
      allOf: [
        { if: { properties: { type: { const: 'socketcan' } } }, then: { required: ['channel'] } },
        { if: { properties: { type: { const: 'slcan' } } }, then: { required: ['path'] } },
        { if: { properties: { type: { const: 'memory' } } }, then: { required: ['name'] } },
      ],
    },
    model: { enum: ['iso165c', 'iso165c-1'], default: DEFAULTS.model },
    pollIntervalMs: { type: 'integer', minimum: 100, maximum: 60_000, default: DEFAULTS.pollIntervalMs },
    responseTimeoutMs: { type: 'integer', minimum: 10, maximum: 10_000, default: DEFAULTS.responseTimeoutMs },
    requestAttempts: { type: 'integer', minimum: 1, maximum: 10, default: DEFAULTS.requestAttempts },
    infoTimeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: DEFAULTS.infoTimeoutMs },
    selfTestTimeoutMs: { type: 'integer', minimum: 1000, maximum: 600_000, default: DEFAULTS.selfTestTimeoutMs },
    voltage: { enum: ['hv1', 'hv2', 'none'], default: DEFAULTS.voltage },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      properties: {
        errorOhm: {
          type: 'integer',
          minimum: ERROR_THRESHOLD_KOHM.min * 1000,
          maximum: ERROR_THRESHOLD_KOHM.max * 1000,
          multipleOf: 1000,
        },
        warningOhm: {
          type: 'integer',
          minimum: WARNING_THRESHOLD_KOHM.min * 1000,
          maximum: WARNING_THRESHOLD_KOHM.max * 1000,
          multipleOf: 1000,
        },
      },
    },
    meanFactor: { type: 'integer', minimum: MEAN_FACTOR.min, maximum: MEAN_FACTOR.max },
    protocol: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        requestId: { ...canId, default: DEFAULTS.protocol.requestId },
        responseId: { ...canId, default: DEFAULTS.protocol.responseId },
        infoId: { ...canId, default: DEFAULTS.protocol.infoId },
        measurementStartValue: { type: 'integer', minimum: 0, maximum: 0xffff, default: 1 },
        measurementStopValue: { type: 'integer', minimum: 0, maximum: 0xffff, default: 0 },
      },
    },
  },
};

/** Example options; each validates against {@link optionsSchema}. */
export const optionsExamples: readonly BenderCanOptions[] = [
  { bus: { type: 'socketcan', channel: 'can0' }, model: 'iso165c', pollIntervalMs: 1000 },
  {
    bus: { type: 'slcan', path: '/dev/ttyACM0', bitrate: 500_000 },
    model: 'iso165c-1',
    thresholds: { errorOhm: 500_000, warningOhm: 750_000 },
    meanFactor: 10,
  },
  { bus: { type: 'memory', name: 'sim' }, voltage: 'none', infoTimeoutMs: 3000 },
];

function resolveBus(bus: CanBusOptions): CanBusOptions {
  switch (bus?.type) {
    case 'socketcan':
      if (!bus.channel) throw new Error('bus.channel is required for socketcan');
      return bus;
    case 'slcan':
      if (!bus.path) throw new Error('bus.path is required for slcan');
      if (SLCAN_BITRATES[bus.bitrate ?? DEFAULTS.slcanBitrate] === undefined) {
        throw new Error(`bus.bitrate ${bus.bitrate} is not an slcan bitrate`);
      }
      return { ...bus, bitrate: bus.bitrate ?? DEFAULTS.slcanBitrate };
    case 'memory':
      if (!bus.name) throw new Error('bus.name is required for memory');
      return bus;
    default:
      throw new Error('bus.type must be socketcan, slcan or memory');
  }
}

/**
 * Applies defaults and checks what the schema cannot (threshold order). The host already
 * validated against the schema; this keeps the driver safe when created directly.
 */
export function resolveOptions(options: BenderCanOptions): ResolvedOptions {
  const t = options.thresholds ?? {};
  if (t.errorOhm !== undefined && t.warningOhm !== undefined && t.errorOhm >= t.warningOhm) {
    throw new Error(`thresholds.errorOhm (${t.errorOhm}) must be below thresholds.warningOhm (${t.warningOhm})`);
  }
  const r: ResolvedOptions = {
    bus: resolveBus(options.bus),
    model: options.model ?? DEFAULTS.model,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    responseTimeoutMs: options.responseTimeoutMs ?? DEFAULTS.responseTimeoutMs,
    requestAttempts: options.requestAttempts ?? DEFAULTS.requestAttempts,
    infoTimeoutMs: options.infoTimeoutMs ?? DEFAULTS.infoTimeoutMs,
    selfTestTimeoutMs: options.selfTestTimeoutMs ?? DEFAULTS.selfTestTimeoutMs,
    voltage: options.voltage ?? DEFAULTS.voltage,
    thresholds: t,
    meanFactor: options.meanFactor,
    protocol: { ...DEFAULTS.protocol, ...options.protocol },
  };
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number' && !(Number.isInteger(v) && v > 0)) throw new Error(`${k} must be a positive integer`);
  }
  return r;
}
