/** A condition on one field: a literal (equal to it) or bounds. */
export type FieldMatcher =
  | string
  | number
  | boolean
  | null
  | { readonly min?: number; readonly max?: number; readonly equals?: unknown; readonly exists?: boolean };

/** Conditions on the fields of an object payload, e.g. `{ resistance_F_Ohm: { min: 1000 } }`. */
export type Where = Readonly<Record<string, FieldMatcher>>;

/** What a message must be to satisfy an expectation. */
export interface MessagePattern {
  /** The m2e kind, e.g. `isolation_measurement`. */
  readonly message: string;
  /** Only this module; any module when unset. */
  readonly module?: string;
  /** The whole payload equals this value (e.g. `true` for a self-test result). */
  readonly equals?: unknown;
  readonly where?: Where;
}

/** A received m2e message as the matcher sees it. */
export interface ObservedMessage {
  readonly moduleId: string;
  readonly kind: string;
  readonly valid: boolean;
  readonly value: unknown;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Read `a.b.c` from a JSON value. */
export function fieldOf(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Why `value` does not satisfy `m`, or undefined when it does. */
export function fieldMismatch(value: unknown, m: FieldMatcher): string | undefined {
  if (m === null || typeof m !== 'object') {
    return deepEqual(value, m) ? undefined : `is ${JSON.stringify(value)}, expected ${JSON.stringify(m)}`;
  }
  if (m.exists !== undefined && (value !== undefined) !== m.exists) {
    return m.exists ? 'is missing' : `is ${JSON.stringify(value)}, expected absent`;
  }
  if (m.equals !== undefined && !deepEqual(value, m.equals)) {
    return `is ${JSON.stringify(value)}, expected ${JSON.stringify(m.equals)}`;
  }
  if (m.min !== undefined || m.max !== undefined) {
    if (typeof value !== 'number') return `is ${JSON.stringify(value)}, expected a number`;
    if (m.min !== undefined && value < m.min) return `is ${value}, expected >= ${m.min}`;
    if (m.max !== undefined && value > m.max) return `is ${value}, expected <= ${m.max}`;
  }
  return undefined;
}

/** Why `msg` does not match `pattern`, or undefined when it does. Invalid payloads never match. */
export function messageMismatch(msg: ObservedMessage, pattern: MessagePattern): string | undefined {
  if (msg.kind !== pattern.message) return `kind ${msg.kind}`;
  if (pattern.module !== undefined && msg.moduleId !== pattern.module) return `module ${msg.moduleId}`;
  if (!msg.valid) return 'invalid payload';
  if (pattern.equals !== undefined && !deepEqual(msg.value, pattern.equals)) {
    return `payload ${JSON.stringify(msg.value)}, expected ${JSON.stringify(pattern.equals)}`;
  }
  for (const [path, m] of Object.entries(pattern.where ?? {})) {
    const why = fieldMismatch(fieldOf(msg.value, path), m);
    if (why) return `${path} ${why}`;
  }
  return undefined;
}

export function matches(msg: ObservedMessage, pattern: MessagePattern): boolean {
  return messageMismatch(msg, pattern) === undefined;
}
