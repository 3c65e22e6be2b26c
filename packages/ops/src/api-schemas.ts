/**
 * JSON schemas of every payload of EVerest's isolation_monitor API v1, taken from the AsyncAPI file
 * (`isolation_monitor_API.yaml` in EVerest/everest-core, `components.schemas`), with the `$ref`s
 * resolved. Embedded so that the operator tools need neither the spec file nor network access.
 */

/** What the module publishes (`m2e/<kind>`). */
export const M2E_KINDS = [
  'isolation_measurement',
  'self_test_result',
  'raise_error',
  'clear_error',
  'communication_check',
] as const;
export type M2eKind = (typeof M2E_KINDS)[number];

/** What EVerest publishes (`e2m/<kind>`). */
export const E2M_KINDS = ['start', 'stop', 'start_self_test', 'heartbeat'] as const;
export type E2mKind = (typeof E2M_KINDS)[number];

export const ERROR_TYPES = ['DeviceFault', 'CommunicationFault', 'VendorError', 'VendorWarning'] as const;
export type ErrorTypeName = (typeof ERROR_TYPES)[number];

const isolationMeasurement = {
  description: 'Results of an isolation measurement',
  type: 'object',
  additionalProperties: true,
  required: ['resistance_F_Ohm'],
  properties: {
    resistance_F_Ohm: { type: 'number' },
    voltage_V: { type: 'number' },
    voltage_to_earth_l1e_V: { type: 'number' },
    voltage_to_earth_l2e_V: { type: 'number' },
  },
} as const;

const error = {
  type: 'object',
  additionalProperties: true,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: [...ERROR_TYPES] },
    sub_type: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** Payload schema per channel address (`m2e/raise_error`, `e2m/heartbeat`, ...). */
export const PAYLOAD_SCHEMAS: Readonly<Record<`m2e/${M2eKind}` | `e2m/${E2mKind}`, object>> = {
  'm2e/isolation_measurement': isolationMeasurement,
  'm2e/self_test_result': { type: 'boolean' },
  'm2e/raise_error': error,
  'm2e/clear_error': error,
  'm2e/communication_check': { type: 'boolean' },
  'e2m/start': {},
  'e2m/stop': {},
  'e2m/start_self_test': { type: 'number' },
  // 64-bit unsigned: checked on the text as well (JSON.parse loses precision above 2^53).
  'e2m/heartbeat': { type: 'integer', minimum: 0 },
};

export function isM2eKind(kind: string): kind is M2eKind {
  return (M2E_KINDS as readonly string[]).includes(kind);
}

export function isE2mKind(kind: string): kind is E2mKind {
  return (E2M_KINDS as readonly string[]).includes(kind);
}
