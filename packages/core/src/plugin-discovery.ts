import { MANIFEST_FIELD, PLUGIN_KEYWORD, SDK_VERSION, type PluginManifest } from '@imd-host/sdk';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/** A plugin package found on disk, described from its package.json alone (no code is run). */
export interface DiscoveredPlugin {
  readonly packageName: string;
  readonly version: string;
  readonly description?: string;
  /** The SDK range from the manifest (`"imd-host": { "sdk": "^1" }`). */
  readonly sdkRange?: string;
  /** Whether `sdkRange` admits this host's SDK version. */
  readonly compatible: boolean;
  readonly dir: string;
}

const NAME_PATTERNS = [/^imd-host-plugin-/, /^@[^/]+\/imd-host-plugin-/, /^@imd-host\/plugin-/];

/**
 * Whether a version satisfies a simple range: `^1`, `^1.2`, `^1.2.3`, `1`, `1.x`, `>=1.0.0 <2`.
 * Anything else is treated as not satisfied.
 */
export function satisfiesSimpleRange(version: string, range: string): boolean {
  const v = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!v) return false;
  const [maj, min, pat] = [Number(v[1]), Number(v[2]), Number(v[3])];
  const cmp = (a: number[], b: number[]): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  return range
    .trim()
    .split(/\s+/)
    .every((part) => {
      const m = /^(\^|~|>=|<=|>|<|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(part);
      if (!m) return false;
      const op = m[1] ?? '';
      const r = [Number(m[2]), m[3] && /\d/.test(m[3]) ? Number(m[3]) : 0, m[4] && /\d/.test(m[4]) ? Number(m[4]) : 0];
      const c = cmp([maj, min, pat], r);
      switch (op) {
        case '^':
        case '':
        case '=':
          return op === '=' ? c === 0 : maj === r[0] && c >= 0;
        case '~':
          return maj === r[0] && min === r[1] && c >= 0;
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        default:
          return false;
      }
    });
}

function readPackage(dir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function nodeModulesDirs(from: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(from);
  for (;;) {
    const nm = path.join(dir, 'node_modules');
    if (existsSync(nm)) out.push(nm);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/**
 * Installed plugins visible from `cwd` and from the host's own installation: packages named
 * `imd-host-plugin-*`, `@scope/imd-host-plugin-*` or `@imd-host/plugin-*` that carry the
 * `imd-host-plugin` keyword or an `imd-host` manifest field.
 */
export function discoverPlugins(cwd: string, hostSdkVersion: string = SDK_VERSION): DiscoveredPlugin[] {
  const roots = [...new Set([...nodeModulesDirs(cwd), ...nodeModulesDirs(__dirname)])];
  const found = new Map<string, DiscoveredPlugin>();
  for (const nm of roots) {
    let entries: string[];
    try {
      entries = readdirSync(nm);
    } catch {
      continue;
    }
    const candidates: string[] = [];
    for (const e of entries) {
      if (e.startsWith('@')) {
        try {
          for (const s of readdirSync(path.join(nm, e))) candidates.push(`${e}/${s}`);
        } catch {
          // not a folder
        }
      } else candidates.push(e);
    }
    for (const name of candidates) {
      if (!NAME_PATTERNS.some((p) => p.test(name))) continue;
      const dir = path.join(nm, name);
      const pkg = readPackage(dir);
      if (!pkg) continue;
      const manifest = pkg[MANIFEST_FIELD] as PluginManifest | undefined;
      const keywords = Array.isArray(pkg.keywords) ? (pkg.keywords as unknown[]) : [];
      if (!manifest && !keywords.includes(PLUGIN_KEYWORD)) continue;
      let real = dir;
      try {
        real = realpathSync(dir);
      } catch {
        // keep dir
      }
      if (found.has(real)) continue;
      const sdkRange = typeof manifest?.sdk === 'string' ? manifest.sdk : undefined;
      found.set(real, {
        packageName: String(pkg.name ?? name),
        version: String(pkg.version ?? '?'),
        description:
          typeof manifest?.description === 'string' ? manifest.description : (pkg.description as string | undefined),
        sdkRange,
        compatible: sdkRange !== undefined && satisfiesSimpleRange(hostSdkVersion, sdkRange),
        dir: real,
      });
    }
  }
  return [...found.values()].sort((a, b) => a.packageName.localeCompare(b.packageName));
}
