import Ajv, { type ValidateFunction } from 'ajv';
import { PAYLOAD_SCHEMAS } from './api-schemas';

/** A payload checked against the API schema. */
export type CheckedPayload =
  | { readonly valid: true; readonly value: unknown }
  | { readonly valid: false; readonly reason: string; readonly value?: unknown };

const UINT64_MAX = (1n << 64n) - 1n;

/** Validates raw payloads of every channel against the schemas embedded from the AsyncAPI file. */
export class PayloadValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const [address, schema] of Object.entries(PAYLOAD_SCHEMAS)) this.validators.set(address, ajv.compile(schema));
  }

  /** Check `raw` (the MQTT payload) for the channel `address`, e.g. `m2e/isolation_measurement`. */
  check(address: string, raw: Buffer | string): CheckedPayload {
    const validate = this.validators.get(address);
    if (!validate) return { valid: false, reason: `unknown channel ${address}` };
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { valid: false, reason: `not JSON: ${JSON.stringify(text.slice(0, 60))}` };
    }
    if (!validate(value)) {
      const reason = (validate.errors ?? [])
        .map((e) => `${e.instancePath || 'payload'} ${e.message ?? 'is invalid'}`)
        .join('; ');
      return { valid: false, reason, value };
    }
    if (address === 'e2m/heartbeat') {
      const t = text.trim();
      if (!/^\d+$/.test(t) || BigInt(t) > UINT64_MAX) {
        return { valid: false, reason: 'heartbeat is not a 64-bit unsigned integer', value };
      }
      return { valid: true, value: BigInt(t) };
    }
    return { valid: true, value };
  }
}
