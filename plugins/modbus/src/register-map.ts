import type { ErrorType, JsonSchema } from '@imd-host/sdk';

/** Which Modbus table a register lives in: holding (FC03) or input (FC04). */
export type RegisterFunction = 'holding' | 'input';
export type ValueType = 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32';

/** A condition on one register: `(word & mask)` compared with `equals` / `in` / `notIn`, or non-zero. */
export interface RegisterCondition {
  readonly address: number;
  readonly function: RegisterFunction;
  /** Default 0xFFFF. */
  readonly mask?: number;
  readonly equals?: number;
  readonly in?: readonly number[];
  readonly notIn?: readonly number[];
}

/** One measured value. */
export interface ValueSpec {
  readonly address: number;
  readonly function: RegisterFunction;
  readonly type: ValueType;
  /** For 32-bit types: `big` = high word first ("ABCD"), `little` = low word first ("CDAB"). Default big. */
  readonly wordOrder?: 'big' | 'little';
  /** Multiplied with the raw value. Default 1. */
  readonly scale?: number;
  /** Raw values that mean "no valid value": the field is left out (the resistance: no measurement). */
  readonly invalidRaw?: readonly number[];
  /** A raw value that means "above the range": published as `value` (e.g. 0xFFFF = "> 2 MΩ"). */
  readonly overRange?: { readonly raw: number; readonly value: number };
  /** When this holds, the value is invalid (a validity bit in a status word). */
  readonly invalidWhen?: RegisterCondition;
}

/** A status bit pattern and what it means. */
export interface StatusRule extends RegisterCondition {
  /** `invalid`: no measurement while it holds; otherwise the error raised while it holds. */
  readonly effect: 'invalid' | Exclude<ErrorType, 'CommunicationFault'>;
  /** Error sub type; with `codeAsSubType` the masked register value is the sub type. */
  readonly subType?: string;
  readonly codeAsSubType?: boolean;
  readonly message?: string;
  /** Messages per code (masked value), e.g. vendor fault texts. */
  readonly codes?: Readonly<Record<string, string>>;
}

export interface RegisterWrite {
  readonly address: number;
  readonly value: number;
  /** `single` = FC06, `multiple` = FC16 with one register. Default multiple. */
  readonly function?: 'single' | 'multiple';
}

/** How the device runs a self test. */
export interface SelfTestSpec {
  readonly trigger: RegisterWrite;
  /** Holds while the test runs. The test is over once it was seen holding and then not. */
  readonly running: RegisterCondition;
  /** At the end, the test failed when any of these holds. */
  readonly failedWhen: readonly RegisterCondition[];
  /** No result within this time: the self test failed. */
  readonly timeoutMs: number;
  /** How often to look at `running` meanwhile. Default 250. */
  readonly pollMs?: number;
}

/** Everything imd-host knows about a Modbus IMD: data, not code. */
export interface RegisterMap {
  readonly description?: string;
  readonly values: {
    readonly resistance: ValueSpec;
    readonly voltage?: ValueSpec;
    readonly voltageL1e?: ValueSpec;
    readonly voltageL2e?: ValueSpec;
  };
  readonly status: readonly StatusRule[];
  readonly selfTest?: SelfTestSpec;
  /** Read while stopped to check that the device is there. */
  readonly presence: { readonly address: number; readonly function: RegisterFunction };
  /** Written when EVerest starts / stops measurements. */
  readonly onStart?: readonly RegisterWrite[];
  readonly onStop?: readonly RegisterWrite[];
}

const fn = { enum: ['holding', 'input'] };
const address = { type: 'integer', minimum: 0, maximum: 65535 };
const word = { type: 'integer', minimum: 0, maximum: 65535 };
const condition = {
  address,
  function: fn,
  mask: word,
  equals: word,
  in: { type: 'array', items: word },
  notIn: { type: 'array', items: word },
};
const conditionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'function'],
  properties: condition,
};
const valueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'function', 'type'],
  properties: {
    address,
    function: fn,
    type: { enum: ['uint16', 'int16', 'uint32', 'int32', 'float32'] },
    wordOrder: { enum: ['big', 'little'] },
    scale: { type: 'number' },
    invalidRaw: { type: 'array', items: { type: 'number' } },
    overRange: {
      type: 'object',
      additionalProperties: false,
      required: ['raw', 'value'],
      properties: { raw: { type: 'number' }, value: { type: 'number', minimum: 0 } },
    },
    invalidWhen: conditionSchema,
  },
};
const writeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'value'],
  properties: { address, value: word, function: { enum: ['single', 'multiple'] } },
};

/** JSON schema of a register map (presets and users' maps alike). */
export const registerMapSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['values', 'status', 'presence'],
  properties: {
    description: { type: 'string' },
    values: {
      type: 'object',
      additionalProperties: false,
      required: ['resistance'],
      properties: { resistance: valueSchema, voltage: valueSchema, voltageL1e: valueSchema, voltageL2e: valueSchema },
    },
    status: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'function', 'effect'],
        properties: {
          ...condition,
          effect: { enum: ['invalid', 'DeviceFault', 'VendorError', 'VendorWarning'] },
          subType: { type: 'string' },
          codeAsSubType: { type: 'boolean' },
          message: { type: 'string' },
          codes: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
    selfTest: {
      type: 'object',
      additionalProperties: false,
      required: ['trigger', 'running', 'failedWhen', 'timeoutMs'],
      properties: {
        trigger: writeSchema,
        running: conditionSchema,
        failedWhen: { type: 'array', items: conditionSchema },
        timeoutMs: { type: 'integer', minimum: 100 },
        pollMs: { type: 'integer', minimum: 10 },
      },
    },
    presence: {
      type: 'object',
      additionalProperties: false,
      required: ['address', 'function'],
      properties: { address, function: fn },
    },
    onStart: { type: 'array', items: writeSchema },
    onStop: { type: 'array', items: writeSchema },
  },
};

/** Registers as read: `table.get(address)`. */
export interface RegisterSnapshot {
  readonly holding: ReadonlyMap<number, number>;
  readonly input: ReadonlyMap<number, number>;
}

function reg(s: RegisterSnapshot, f: RegisterFunction, a: number): number {
  const v = (f === 'holding' ? s.holding : s.input).get(a);
  if (v === undefined) throw new Error(`register ${f} ${a} was not read`);
  return v;
}

/** Whether a condition holds on a snapshot. */
export function holds(c: RegisterCondition, s: RegisterSnapshot): boolean {
  const w = reg(s, c.function, c.address) & (c.mask ?? 0xffff);
  if (c.equals !== undefined) return w === c.equals;
  if (c.in) return c.in.includes(w);
  if (c.notIn) return !c.notIn.includes(w);
  return w !== 0;
}

/** The masked value of a condition's register (for codes). */
export function maskedValue(c: RegisterCondition, s: RegisterSnapshot): number {
  return reg(s, c.function, c.address) & (c.mask ?? 0xffff);
}

export function wordsOf(type: ValueType): number {
  return type === 'uint16' || type === 'int16' ? 1 : 2;
}

/** Decode the raw number of a value from its registers (before scaling). */
export function rawValue(v: ValueSpec, s: RegisterSnapshot): number {
  const w0 = reg(s, v.function, v.address);
  if (wordsOf(v.type) === 1) return v.type === 'int16' ? (w0 << 16) >> 16 : w0;
  const w1 = reg(s, v.function, v.address + 1);
  const [hi, lo] = (v.wordOrder ?? 'big') === 'big' ? [w0, w1] : [w1, w0];
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(hi, 0);
  buf.writeUInt16BE(lo, 2);
  switch (v.type) {
    case 'uint32':
      return buf.readUInt32BE(0);
    case 'int32':
      return buf.readInt32BE(0);
    default:
      return buf.readFloatBE(0);
  }
}

/** The value in SI units, or undefined when the device says it is not valid. */
export function decodeValue(v: ValueSpec, s: RegisterSnapshot): number | undefined {
  if (v.invalidWhen && holds(v.invalidWhen, s)) return undefined;
  const raw = rawValue(v, s);
  if (v.overRange && raw === v.overRange.raw) return v.overRange.value;
  if (v.invalidRaw?.includes(raw)) return undefined;
  const value = raw * (v.scale ?? 1);
  return Number.isFinite(value) ? value : undefined;
}

/** Encode a value into registers (for simulators and tests): the inverse of {@link rawValue}. */
export function encodeRaw(v: Pick<ValueSpec, 'type' | 'wordOrder'>, raw: number): number[] {
  if (wordsOf(v.type) === 1) return [raw & 0xffff];
  const buf = Buffer.alloc(4);
  if (v.type === 'float32') buf.writeFloatBE(raw, 0);
  else if (v.type === 'int32') buf.writeInt32BE(raw, 0);
  else buf.writeUInt32BE(raw >>> 0, 0);
  const hi = buf.readUInt16BE(0);
  const lo = buf.readUInt16BE(2);
  return (v.wordOrder ?? 'big') === 'big' ? [hi, lo] : [lo, hi];
}

/** One block read: a function and a contiguous address range. */
export interface ReadBlock {
  readonly function: RegisterFunction;
  readonly start: number;
  readonly count: number;
}

/** Every register a set of specs needs, merged into few reads (gaps up to 8 registers, at most 120 per read). */
export function planReads(
  items: ReadonlyArray<{ address: number; function: RegisterFunction; words?: number }>,
): ReadBlock[] {
  const out: ReadBlock[] = [];
  for (const f of ['holding', 'input'] as const) {
    const addrs = new Set<number>();
    for (const it of items) {
      if (it.function !== f) continue;
      for (let i = 0; i < (it.words ?? 1); i += 1) addrs.add(it.address + i);
    }
    const sorted = [...addrs].sort((a, b) => a - b);
    let start = -1;
    let end = -1;
    for (const a of sorted) {
      if (start >= 0 && a - end <= 8 && a - start < 120) {
        end = a;
        continue;
      }
      if (start >= 0) out.push({ function: f, start, count: end - start + 1 });
      start = a;
      end = a;
    }
    if (start >= 0) out.push({ function: f, start, count: end - start + 1 });
  }
  return out;
}

/** The reads a map needs for one poll (values and status). */
export function pollReads(map: RegisterMap): ReadBlock[] {
  const items: Array<{ address: number; function: RegisterFunction; words?: number }> = [];
  for (const v of Object.values(map.values)) {
    if (!v) continue;
    items.push({ address: v.address, function: v.function, words: wordsOf(v.type) });
    if (v.invalidWhen) items.push(v.invalidWhen);
  }
  items.push(...map.status);
  return planReads(items);
}

/** The reads a self test needs to watch its progress. */
export function selfTestReads(t: SelfTestSpec): ReadBlock[] {
  return planReads([t.running, ...t.failedWhen]);
}
