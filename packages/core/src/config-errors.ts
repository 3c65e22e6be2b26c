import type { ErrorObject } from 'ajv';

/** One problem in a configuration file. */
export interface ConfigProblem {
  /** Path in the file, e.g. `modules[1].options.intervalMs`, or `(root)`. */
  readonly path: string;
  readonly message: string;
}

/** A configuration that cannot be used; `message` lists every problem as `file: path: message`. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }

  /** One line per problem: `file: path: message`. */
  get lines(): string[] {
    return this.problems.map((p) => formatProblem(this.file, p));
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}: ${p.path}: ${p.message}`;
}

/** `/modules/1/options/intervalMs` → `modules[1].options.intervalMs`, prefixed by `base`. */
export function pointerToPath(pointer: string, base = ''): string {
  let out = base;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Turns ajv errors into problems with precise paths and plain messages. */
export function ajvProblems(errors: readonly ErrorObject[] | null | undefined, base = ''): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let pointer = e.instancePath;
    let message = e.message ?? 'is invalid';
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        pointer += `/${String(params.missingProperty)}`;
        message = 'is required';
        break;
      case 'additionalProperties':
        pointer += `/${String(params.additionalProperty)}`;
        message = 'is not a known setting here';
        break;
      case 'enum':
        message = `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'type':
        message = `must be ${String(params.type)}`;
        break;
      case 'if':
        continue;
      default:
        break;
    }
    const p = { path: pointerToPath(pointer, base), message };
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}
