import Ajv, { type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** The official AsyncAPI file of EVerest's isolation_monitor API, vendored in test/fixtures/everest. */
export const ASYNCAPI_FILE = path.resolve(__dirname, '../fixtures/everest/isolation_monitor_API.asyncapi.yaml');

/** Validators of every m2e/e2m channel's payload, keyed by the channel address (e.g. `m2e/raise_error`). */
export function loadAsyncApiValidators(): Map<string, ValidateFunction> {
  if (!existsSync(ASYNCAPI_FILE)) {
    throw new Error(`the AsyncAPI spec is missing at ${ASYNCAPI_FILE}`);
  }
  const doc = parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as {
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    components: { messages: Record<string, { payload: unknown }>; schemas: Record<string, unknown> };
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  // Make "#/components/schemas/X" references resolvable.
  ajv.addSchema({ $id: 'asyncapi', components: doc.components }, 'asyncapi');
  const fix = (s: unknown): unknown =>
    JSON.parse(JSON.stringify(s).replace(/"#\/components\//g, '"asyncapi#/components/'));
  const out = new Map<string, ValidateFunction>();
  for (const ch of Object.values(doc.channels)) {
    for (const m of Object.values(ch.messages)) {
      const name = m.$ref.split('/').pop() as string;
      const payload = doc.components.messages[name].payload;
      out.set(ch.address, ajv.compile(fix(payload) as object));
    }
  }
  return out;
}

/** Throws with the reason when `payload` (raw text) is not valid JSON per the schema of `address`. */
export function assertValidPayload(validators: Map<string, ValidateFunction>, address: string, payload: string): void {
  const v = validators.get(address);
  if (!v) throw new Error(`no AsyncAPI channel ${address}`);
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new Error(`${address}: payload is not JSON: ${payload.slice(0, 100)}`);
  }
  if (!v(value)) throw new Error(`${address}: ${payload.slice(0, 200)} is invalid: ${JSON.stringify(v.errors)}`);
}
