import type { ConfigProblem } from './config-errors';
import { pointerToPath } from './config-errors';

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed config with the
 * environment's values (so secrets need not sit in the file). `$${...}` stays literal.
 * Returns the new value and a problem per unset variable without default.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  pointer = '',
  problems: ConfigProblem[] = [],
): { value: unknown; problems: ConfigProblem[] } {
  if (typeof value === 'string') {
    const replaced = value.replace(
      /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (whole, escape: string, name: string, def?: string) => {
        if (escape === '$') return whole.slice(1);
        const v = env[name];
        if (v !== undefined) return v;
        if (def !== undefined) return def;
        problems.push({ path: pointerToPath(pointer), message: `environment variable ${name} is not set` });
        return whole;
      },
    );
    return { value: replaced, problems };
  }
  if (Array.isArray(value)) {
    return { value: value.map((v, i) => substituteEnv(v, env, `${pointer}/${i}`, problems).value), problems };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = substituteEnv(v, env, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, problems).value;
    }
    return { value: out, problems };
  }
  return { value, problems };
}
