import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { isM2eKind, type M2eKind } from './api-schemas';
import type { FieldMatcher, MessagePattern, Where } from './matcher';

/** Commands a script can send as EVerest. */
export const SCRIPT_COMMANDS = ['start', 'stop', 'start_self_test', 'heartbeat'] as const;
export type ScriptCommand = (typeof SCRIPT_COMMANDS)[number];

/** Default time an `expect` waits, ms. */
export const DEFAULT_WITHIN_MS = 5000;
/** Default self-test voltage, V. */
export const DEFAULT_SELF_TEST_VOLTAGE = 500;

export type ScriptStep =
  | {
      readonly step: 'send';
      readonly command: ScriptCommand;
      /** Self-test voltage (start_self_test). */
      readonly voltage?: number;
      /** Explicit heartbeat id (decimal text, uint64); otherwise the simulator's next one. */
      readonly id?: string;
      readonly module?: string;
    }
  | { readonly step: 'wait'; readonly ms: number }
  | (MessagePattern & {
      readonly step: 'expect';
      readonly message: M2eKind;
      readonly within: number;
      /** `send`: messages since the last send step count (default); `step`: only those after this step began. */
      readonly since: 'send' | 'step';
    })
  | (MessagePattern & { readonly step: 'expectNo'; readonly message: M2eKind; readonly forMs: number });

/** A script that failed to parse: every problem as `step N: message`. */
export class ScriptError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid script: ${problems.join('; ')}`);
    this.name = 'ScriptError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 3_600_000;

function checkKeys(s: Obj, allowed: readonly string[], where: string, problems: string[]): void {
  for (const k of Object.keys(s)) if (!allowed.includes(k)) problems.push(`${where}: unknown key "${k}"`);
}

function parseMatcher(v: unknown, where: string, problems: string[]): FieldMatcher | undefined {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v as FieldMatcher;
  if (!isObj(v)) {
    problems.push(`${where}: expected a value or { min, max, equals, exists }`);
    return undefined;
  }
  checkKeys(v, ['min', 'max', 'equals', 'exists'], where, problems);
  for (const k of ['min', 'max'] as const) {
    if (v[k] !== undefined && (typeof v[k] !== 'number' || !Number.isFinite(v[k]))) {
      problems.push(`${where}.${k}: must be a number`);
    }
  }
  if (v.exists !== undefined && typeof v.exists !== 'boolean') problems.push(`${where}.exists: must be true or false`);
  return v as FieldMatcher;
}

function parsePattern(
  s: Obj,
  key: 'expect' | 'expectNo',
  where: string,
  problems: string[],
): MessagePattern | undefined {
  const message = s[key];
  if (typeof message !== 'string' || !isM2eKind(message)) {
    problems.push(
      `${where}: ${key} must be one of isolation_measurement, self_test_result, raise_error, clear_error, communication_check`,
    );
    return undefined;
  }
  if (s.module !== undefined && (typeof s.module !== 'string' || s.module === '')) {
    problems.push(`${where}: module must be a module id`);
  }
  let whereOut: Where | undefined;
  if (s.where !== undefined) {
    if (!isObj(s.where)) problems.push(`${where}: where must be an object of field conditions`);
    else {
      const w: Record<string, FieldMatcher> = {};
      for (const [field, m] of Object.entries(s.where)) {
        const parsed = parseMatcher(m, `${where}: where.${field}`, problems);
        if (parsed !== undefined) w[field] = parsed;
      }
      whereOut = w;
    }
  }
  return {
    message,
    ...(typeof s.module === 'string' ? { module: s.module } : {}),
    ...(s.equals !== undefined ? { equals: s.equals } : {}),
    ...(whereOut ? { where: whereOut } : {}),
  };
}

function parseStep(s: unknown, n: number, problems: string[]): ScriptStep | undefined {
  const where = `step ${n}`;
  if (!isObj(s)) {
    problems.push(`${where}: must be an object such as { send: start } or { wait: 1000 }`);
    return undefined;
  }
  const actions = ['send', 'wait', 'expect', 'expectNo'].filter((k) => s[k] !== undefined);
  if (actions.length !== 1) {
    problems.push(`${where}: needs exactly one of send, wait, expect, expectNo`);
    return undefined;
  }
  const before = problems.length;
  let out: ScriptStep | undefined;
  switch (actions[0]) {
    case 'send': {
      checkKeys(s, ['send', 'voltage', 'id', 'module'], where, problems);
      const command = s.send;
      if (typeof command !== 'string' || !(SCRIPT_COMMANDS as readonly string[]).includes(command)) {
        problems.push(`${where}: send must be one of ${SCRIPT_COMMANDS.join(', ')}`);
        return undefined;
      }
      if (s.voltage !== undefined && (typeof s.voltage !== 'number' || !Number.isFinite(s.voltage))) {
        problems.push(`${where}: voltage must be a number`);
      }
      if (s.voltage !== undefined && command !== 'start_self_test') {
        problems.push(`${where}: voltage only applies to start_self_test`);
      }
      const id = typeof s.id === 'number' ? String(s.id) : s.id;
      if (id !== undefined && (command !== 'heartbeat' || typeof id !== 'string' || !/^\d+$/.test(id))) {
        problems.push(`${where}: id only applies to heartbeat and must be a non-negative integer`);
      } else if (typeof id === 'string' && BigInt(id) > (1n << 64n) - 1n) {
        problems.push(`${where}: id exceeds 2^64-1`);
      }
      if (s.module !== undefined && (typeof s.module !== 'string' || s.module === '')) {
        problems.push(`${where}: module must be a module id`);
      }
      out = {
        step: 'send',
        command: command as ScriptCommand,
        ...(command === 'start_self_test'
          ? { voltage: (s.voltage as number | undefined) ?? DEFAULT_SELF_TEST_VOLTAGE }
          : {}),
        ...(typeof id === 'string' ? { id } : {}),
        ...(typeof s.module === 'string' ? { module: s.module } : {}),
      };
      break;
    }
    case 'wait':
      checkKeys(s, ['wait'], where, problems);
      if (!isMs(s.wait)) problems.push(`${where}: wait must be milliseconds (integer, 0..3600000)`);
      out = { step: 'wait', ms: s.wait as number };
      break;
    case 'expect': {
      checkKeys(s, ['expect', 'within', 'where', 'equals', 'module', 'since'], where, problems);
      const pattern = parsePattern(s, 'expect', where, problems);
      if (s.within !== undefined && !isMs(s.within)) problems.push(`${where}: within must be milliseconds`);
      if (s.since !== undefined && s.since !== 'send' && s.since !== 'step') {
        problems.push(`${where}: since must be send or step`);
      }
      if (!pattern) return undefined;
      out = {
        ...pattern,
        step: 'expect',
        message: pattern.message as M2eKind,
        within: (s.within as number | undefined) ?? DEFAULT_WITHIN_MS,
        since: (s.since as 'send' | 'step' | undefined) ?? 'send',
      };
      break;
    }
    default: {
      checkKeys(s, ['expectNo', 'for', 'where', 'equals', 'module'], where, problems);
      const pattern = parsePattern(s, 'expectNo', where, problems);
      if (!isMs(s.for)) problems.push(`${where}: expectNo needs for: milliseconds`);
      if (!pattern) return undefined;
      out = { ...pattern, step: 'expectNo', message: pattern.message as M2eKind, forMs: s.for as number };
    }
  }
  return problems.length === before ? out : undefined;
}

/** Parse a script (the list of steps, or `{ steps: [...] }`) from a YAML or JSON value. */
export function parseScript(doc: unknown): ScriptStep[] {
  const list = isObj(doc) && Array.isArray(doc.steps) ? doc.steps : doc;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ScriptError(['a script is a non-empty list of steps (or { steps: [...] })']);
  }
  const problems: string[] = [];
  const steps: ScriptStep[] = [];
  list.forEach((s, i) => {
    const step = parseStep(s, i + 1, problems);
    if (step) steps.push(step);
  });
  if (problems.length > 0) throw new ScriptError(problems);
  return steps;
}

/** Parse script text; YAML is a superset of JSON, so both work. */
export function parseScriptText(text: string): ScriptStep[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ScriptError([`not YAML/JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseScript(doc);
}

/** Read and parse a script file. */
export function loadScript(file: string): ScriptStep[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScriptError([`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseScriptText(text);
}

/** A one-line description of a step, for PASS/FAIL lines. */
export function describeStep(s: ScriptStep): string {
  const mod = 'module' in s && s.module ? ` [${s.module}]` : '';
  switch (s.step) {
    case 'send':
      return `send ${s.command}${s.voltage !== undefined ? ` ${s.voltage} V` : ''}${s.id ? ` id ${s.id}` : ''}${mod}`;
    case 'wait':
      return `wait ${s.ms} ms`;
    case 'expect':
      return `expect ${s.message}${mod}${s.equals !== undefined ? ` = ${JSON.stringify(s.equals)}` : ''}${
        s.where ? ` where ${JSON.stringify(s.where)}` : ''
      } within ${s.within} ms`;
    case 'expectNo':
      return `expect no ${s.message}${mod}${s.equals !== undefined ? ` = ${JSON.stringify(s.equals)}` : ''}${
        s.where ? ` where ${JSON.stringify(s.where)}` : ''
      } for ${s.forMs} ms`;
  }
}
