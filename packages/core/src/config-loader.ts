import Ajv from 'ajv';
import { cosmiconfigSync } from 'cosmiconfig';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ajvProblems, type ConfigProblem } from './config-errors';
import { hostConfigSchema } from './config-schema';
import type { HostConfig, ModuleConfig } from './config-types';
import { substituteEnv } from './env-substitution';
import { PluginLoadError, PluginLoader, type LoadedPlugin } from './plugin-loader';

/** The cosmiconfig module name: `imd-host.config.yaml`, `.imd-hostrc*`, `package.json#imd-host`, ... */
export const CONFIG_MODULE_NAME = 'imd-host';

/** A module ready to run: its validated config and its plugin. */
export interface LoadedModule {
  readonly config: ModuleConfig;
  readonly plugin: LoadedPlugin;
}

/** A configuration file, validated, with every module's plugin loaded. */
export interface LoadedConfig {
  /** The file it came from (absolute). */
  readonly file: string;
  readonly config: HostConfig;
  readonly modules: readonly LoadedModule[];
}

export interface LoadConfigOptions {
  /** An explicit file (`--config`); otherwise cosmiconfig searches from `cwd`. */
  readonly file?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly pluginLoader?: PluginLoader;
}

/** Where a configuration is looked for in the working directory, in this order. */
export const SEARCH_PLACES = [
  'imd-host.config.yaml',
  'imd-host.config.yml',
  'imd-host.config.json',
  'imd-host.config.js',
  'imd-host.config.cjs',
  '.imd-hostrc',
  '.imd-hostrc.yaml',
  '.imd-hostrc.yml',
  '.imd-hostrc.json',
  '.imd-hostrc.js',
  '.imd-hostrc.cjs',
  'package.json',
];

const hostAjv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateHost = hostAjv.compile(hostConfigSchema);

function describe(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** A parse error in one line, without the file name cosmiconfig puts first. */
function parseErrorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .replace(/^(YAML|JSON) Error in [^\n]*:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\^+$/.test(l))
    .join(' ')
    .slice(0, 300);
}

function locate(options: LoadConfigOptions): { file: string; raw: unknown } {
  const cwd = options.cwd ?? process.cwd();
  const explorer = cosmiconfigSync(CONFIG_MODULE_NAME, { searchStrategy: 'none', searchPlaces: SEARCH_PLACES });
  if (options.file) {
    const file = path.resolve(cwd, options.file);
    try {
      const r = explorer.load(file);
      return { file, raw: r?.config };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const msg = code === 'ENOENT' ? 'file not found' : parseErrorMessage(err);
      throw new ConfigError(display(file, cwd), [{ path: '(file)', message: msg }]);
    }
  }
  let r;
  try {
    r = explorer.search(cwd);
  } catch (err) {
    const file = (err as { filepath?: string }).filepath ?? cwd;
    throw new ConfigError(display(file, cwd), [{ path: '(file)', message: parseErrorMessage(err) }]);
  }
  if (!r) {
    throw new ConfigError(cwd, [
      {
        path: '(file)',
        message:
          'no configuration found (looked for imd-host.config.yaml|yml|json|js, .imd-hostrc*, package.json#imd-host); pass --config FILE',
      },
    ]);
  }
  return { file: r.filepath, raw: r.config };
}

function readSecretFile(
  file: string,
  baseDir: string,
  pointerPath: string,
  problems: ConfigProblem[],
): string | undefined {
  const p = path.resolve(baseDir, file);
  try {
    return readFileSync(p, 'utf8');
  } catch (err) {
    problems.push({
      path: pointerPath,
      message: `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? describe(err)}`,
    });
    return undefined;
  }
}

/**
 * Load, validate and resolve a configuration: environment substitution, the host schema
 * (defaults applied), duplicate module ids, each module's plugin and its options schema,
 * password and TLS files. Every problem is collected; any problem throws a {@link ConfigError}
 * that lists them all as `file: path: message`. Nothing connects before this succeeds.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const { file, raw } = locate(options);
  const displayFile = display(file, options.cwd ?? process.cwd());
  const baseDir = path.dirname(file);
  if (raw === undefined || raw === null) {
    throw new ConfigError(displayFile, [{ path: '(root)', message: 'the file is empty' }]);
  }
  const { value, problems } = substituteEnv(raw, options.env ?? process.env);
  if (problems.length > 0) throw new ConfigError(displayFile, problems);

  const cfg = structuredClone(value) as Record<string, unknown>;
  if (!validateHost(cfg)) throw new ConfigError(displayFile, ajvProblems(validateHost.errors));
  const host = cfg as unknown as HostConfig;

  const all: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  host.modules.forEach((m, i) => {
    const first = seen.get(m.moduleId);
    if (first !== undefined) {
      all.push({
        path: `modules[${i}].moduleId`,
        message: `duplicate module id "${m.moduleId}" (also modules[${first}])`,
      });
    } else seen.set(m.moduleId, i);
  });

  const loader = options.pluginLoader ?? new PluginLoader();
  const modules: LoadedModule[] = [];
  host.modules.forEach((m, i) => {
    let plugin: LoadedPlugin;
    try {
      plugin = loader.load(m.plugin, baseDir);
    } catch (err) {
      all.push({ path: `modules[${i}].plugin`, message: err instanceof PluginLoadError ? err.message : describe(err) });
      return;
    }
    const opts = m.options;
    if (!plugin.validateOptions(opts)) {
      all.push(...ajvProblems(plugin.validateOptions.errors, `modules[${i}].options`));
      return;
    }
    modules.push({ config: m, plugin });
  });

  // Secrets and TLS material: read now so that a missing file stops startup.
  const mqtt = host.mqtt as unknown as Record<string, unknown>;
  if (typeof mqtt.passwordFile === 'string') {
    if (typeof mqtt.password === 'string') {
      all.push({ path: 'mqtt.passwordFile', message: 'give either password or passwordFile, not both' });
    } else {
      const pw = readSecretFile(mqtt.passwordFile, baseDir, 'mqtt.passwordFile', all);
      if (pw !== undefined) mqtt.password = pw.split(/\r?\n/)[0];
    }
  }
  const tls = mqtt.tls as Record<string, unknown> | undefined;
  if (tls) {
    for (const k of ['ca', 'cert', 'key'] as const) {
      if (typeof tls[k] === 'string') {
        const content = readSecretFile(tls[k] as string, baseDir, `mqtt.tls.${k}`, all);
        if (content !== undefined) tls[k] = content;
      }
    }
  }
  const hasTlsMaterial = tls !== undefined && ['ca', 'cert', 'key'].some((k) => tls[k] !== undefined);
  if (hasTlsMaterial && !/^(mqtts|wss|ssl):/.test(String(mqtt.url))) {
    all.push({ path: 'mqtt.tls', message: 'TLS settings need an mqtts:// or wss:// url' });
  }
  if (mqtt.embeddedBroker === true && !/^(mqtt|tcp):\/\//.test(String(mqtt.url))) {
    all.push({ path: 'mqtt.embeddedBroker', message: 'the embedded broker speaks plain mqtt:// only' });
  }
  if (all.length > 0) throw new ConfigError(displayFile, all);
  return { file, config: host, modules };
}
