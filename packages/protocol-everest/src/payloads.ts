import { ERROR_TYPES, type DeviceError, type ErrorRef, type Measurement } from '@imd-host/sdk';

/** Outcome of parsing an `e2m` payload. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** `e2m` payloads larger than this are rejected unread. EVerest's are a few bytes. */
export const MAX_E2M_PAYLOAD_BYTES = 4096;

/** Self-test voltages above this are rejected (DC chargers go up to 1000 V, a few to 1500 V). */
export const MAX_SELF_TEST_VOLTAGE_V = 2000;

/** 2^64 - 1, the largest heartbeat id; the next one is 0. */
export const HEARTBEAT_MAX = (1n << 64n) - 1n;

const fail = (reason: string): ParseResult<never> => ({ ok: false, reason });

function sizeOk(payload: Buffer): string | undefined {
  return payload.length > MAX_E2M_PAYLOAD_BYTES
    ? `payload of ${payload.length} bytes exceeds ${MAX_E2M_PAYLOAD_BYTES}`
    : undefined;
}

/**
 * `e2m/start` and `e2m/stop`: the content is ignored (the API's schema is `{}`), but it must be
 * empty or JSON, and small.
 */
export function parseCommand(payload: Buffer): ParseResult<null> {
  const tooBig = sizeOk(payload);
  if (tooBig) return fail(tooBig);
  const text = payload.toString('utf8').trim();
  if (text === '') return { ok: true, value: null };
  try {
    JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  return { ok: true, value: null };
}

/** `e2m/start_self_test`: a JSON number, the test voltage in V, finite, in (0, 2000]. */
export function parseSelfTestVoltage(payload: Buffer): ParseResult<number> {
  const tooBig = sizeOk(payload);
  if (tooBig) return fail(tooBig);
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return fail('not JSON');
  }
  if (typeof v !== 'number')
    return fail(`expected a number (test voltage in V), got ${v === null ? 'null' : typeof v}`);
  if (!Number.isFinite(v)) return fail('test voltage is not finite');
  if (!(v > 0 && v <= MAX_SELF_TEST_VOLTAGE_V)) {
    return fail(`test voltage ${v} V is out of range (0, ${MAX_SELF_TEST_VOLTAGE_V}]`);
  }
  return { ok: true, value: v };
}

const INTEGER_TEXT = /^(?:0|[1-9][0-9]*)(?:\.0+)?$/;

/**
 * `e2m/heartbeat`: a JSON integer in [0, 2^64 - 1], parsed from the text with BigInt so that
 * ids above 2^53 keep every digit.
 */
export function parseHeartbeat(payload: Buffer): ParseResult<bigint> {
  const tooBig = sizeOk(payload);
  if (tooBig) return fail(tooBig);
  const text = payload.toString('utf8').trim();
  if (!INTEGER_TEXT.test(text)) return fail('expected an unsigned integer');
  const digits = text.replace(/\.0+$/, '');
  if (digits.length > 20) return fail('heartbeat id exceeds 2^64 - 1');
  const value = BigInt(digits);
  if (value > HEARTBEAT_MAX) return fail('heartbeat id exceeds 2^64 - 1');
  return { ok: true, value };
}

/** The heartbeat id that follows `id` (wrapping from 2^64 - 1 to 0). */
export function nextHeartbeat(id: bigint): bigint {
  return id === HEARTBEAT_MAX ? 0n : id + 1n;
}

/** Why a measurement cannot be published, or undefined when it is valid. */
export function measurementProblem(m: Measurement): string | undefined {
  if (typeof m !== 'object' || m === null) return 'not an object';
  if (typeof m.resistanceOhm !== 'number' || !Number.isFinite(m.resistanceOhm))
    return 'resistanceOhm is not a finite number';
  if (m.resistanceOhm < 0) return 'resistanceOhm is negative';
  for (const k of ['voltageV', 'voltageToEarthL1eV', 'voltageToEarthL2eV'] as const) {
    const v = m[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) return `${k} is not a finite number`;
  }
  if (m.takenAt !== undefined && (typeof m.takenAt !== 'number' || !Number.isFinite(m.takenAt))) {
    return 'takenAt is not a finite number';
  }
  return undefined;
}

/** The `m2e/isolation_measurement` payload. The measurement must be valid ({@link measurementProblem}). */
export function measurementPayload(m: Measurement): string {
  let s = `{"resistance_F_Ohm":${m.resistanceOhm}`;
  if (m.voltageV !== undefined) s += `,"voltage_V":${m.voltageV}`;
  if (m.voltageToEarthL1eV !== undefined) s += `,"voltage_to_earth_l1e_V":${m.voltageToEarthL1eV}`;
  if (m.voltageToEarthL2eV !== undefined) s += `,"voltage_to_earth_l2e_V":${m.voltageToEarthL2eV}`;
  return s + '}';
}

/** Why an error cannot be published, or undefined when it is valid. */
export function errorProblem(e: ErrorRef): string | undefined {
  if (typeof e !== 'object' || e === null) return 'not an object';
  if (!ERROR_TYPES.includes(e.type)) return `type must be one of ${ERROR_TYPES.join(', ')}`;
  if (e.subType !== undefined && typeof e.subType !== 'string') return 'subType must be a string';
  const msg = (e as DeviceError).message;
  if (msg !== undefined && typeof msg !== 'string') return 'message must be a string';
  return undefined;
}

/** The `m2e/raise_error` / `m2e/clear_error` payload. */
export function errorPayload(e: DeviceError): string {
  const o: { type: string; sub_type?: string; message?: string } = { type: e.type };
  if (e.subType !== undefined) o.sub_type = e.subType;
  if (e.message !== undefined) o.message = e.message;
  return JSON.stringify(o);
}
