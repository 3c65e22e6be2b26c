import { SDK_VERSION, isSdkCompatible, type PluginDescriptor } from '@imd-host/sdk';
import Ajv, { type ValidateFunction } from 'ajv';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { BUILTIN_PLUGINS } from './builtin-plugins';

/** A plugin that was found, loaded and checked. */
export interface LoadedPlugin {
  /** The name as written in the config. */
  readonly requested: string;
  /** The file it was loaded from. */
  readonly resolvedPath: string;
  readonly descriptor: PluginDescriptor;
  /** Validates (and fills defaults into) a module's options; compiled once per plugin. */
  readonly validateOptions: ValidateFunction;
}

/** A plugin that cannot be used; the message says why. */
export class PluginLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

const isPathSpecifier = (name: string): boolean =>
  name.startsWith('./') || name.startsWith('../') || path.isAbsolute(name) || name === '.' || name === '..';

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** The package directory that contains `file` (nearest package.json upwards). */
function packageDirOf(file: string): string | undefined {
  let dir = path.dirname(file);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Node's own resolution of `spec` as if required from a file in each of `dirs`, first hit wins. */
function resolveFrom(spec: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    try {
      return createRequire(path.join(dir, '__imd-host-resolve__.js')).resolve(spec);
    } catch {
      // try the next folder
    }
  }
  return undefined;
}

/** Why `value` is not a plugin descriptor, or undefined. */
export function descriptorProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return 'it exports no plugin descriptor (expected `default` or `plugin`)';
  const d = value as Record<string, unknown>;
  for (const k of ['name', 'version', 'sdkVersion'] as const) {
    if (typeof d[k] !== 'string' || d[k] === '') return `its descriptor has no ${k} string`;
  }
  if (typeof d.optionsSchema !== 'object' || d.optionsSchema === null)
    return 'its descriptor has no optionsSchema object';
  if (typeof d.createDriver !== 'function') return 'its descriptor has no createDriver function';
  return undefined;
}

/**
 * Finds plugins by name: a built-in short name, an npm package name (resolved from the
 * config file's folder, the working directory and the host's own install), or a path
 * relative to the config file. Checks SDK compatibility and that the plugin uses the host's
 * copy of the SDK. Each plugin is loaded once.
 */
export class PluginLoader {
  private readonly cache = new Map<string, LoadedPlugin>();
  private readonly ajv: Ajv;

  constructor(private readonly hostSdkVersion: string = SDK_VERSION) {
    this.ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  }

  /** The module specifier that `name` stands for. */
  specifierFor(name: string, baseDir: string): string {
    if (Object.prototype.hasOwnProperty.call(BUILTIN_PLUGINS, name)) return BUILTIN_PLUGINS[name];
    if (isPathSpecifier(name)) return path.resolve(baseDir, name);
    return name;
  }

  /** Load plugin `name` as seen from `baseDir` (the config file's folder). */
  load(name: string, baseDir: string): LoadedPlugin {
    const spec = this.specifierFor(name, baseDir);
    const resolved = resolveFrom(spec, [baseDir, process.cwd(), __dirname]);
    if (resolved === undefined) {
      const hint = isPathSpecifier(name)
        ? `no module at ${spec}`
        : `package "${spec}" is not installed (npm install ${spec})`;
      throw new PluginLoadError(`cannot find plugin "${name}": ${hint}`);
    }
    const cached = this.cache.get(resolved);
    if (cached) return cached;

    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(resolved);
    } catch (err) {
      throw new PluginLoadError(`plugin "${name}" failed to load from ${resolved}: ${errorMessage(err)}`);
    }
    const exports = mod as { default?: unknown; plugin?: unknown };
    const descriptor = exports.default ?? exports.plugin;
    const problem = descriptorProblem(descriptor);
    if (problem) throw new PluginLoadError(`"${name}" (${resolved}) is not an imd-host plugin: ${problem}`);
    const d = descriptor as PluginDescriptor;
    if (!isSdkCompatible(d.sdkVersion, this.hostSdkVersion)) {
      throw new PluginLoadError(
        `plugin "${name}" (${d.name} ${d.version}) was built for @imd-host/sdk ${d.sdkVersion}, but this host has @imd-host/sdk ${this.hostSdkVersion}; use a plugin version built for SDK ${this.hostSdkVersion.split('.')[0]}.x`,
      );
    }
    this.checkSingleSdkCopy(name, resolved);
    let validateOptions: ValidateFunction;
    try {
      validateOptions = this.ajv.compile(d.optionsSchema);
    } catch (err) {
      throw new PluginLoadError(`plugin "${name}" has an invalid options schema: ${errorMessage(err)}`);
    }
    const loaded: LoadedPlugin = { requested: name, resolvedPath: resolved, descriptor: d, validateOptions };
    this.cache.set(resolved, loaded);
    return loaded;
  }

  /** A plugin that bundles its own @imd-host/sdk would break identity checks: refuse it. */
  private checkSingleSdkCopy(name: string, resolved: string): void {
    const pkgDir = packageDirOf(resolved);
    if (!pkgDir) return;
    const own = path.join(pkgDir, 'node_modules', '@imd-host', 'sdk', 'package.json');
    if (!existsSync(own)) return;
    const hostSdk = realpathSync(require.resolve('@imd-host/sdk/package.json'));
    if (realpathSync(own) !== hostSdk) {
      let v = '?';
      try {
        v = (JSON.parse(readFileSync(own, 'utf8')) as { version?: string }).version ?? '?';
      } catch {
        // keep '?'
      }
      throw new PluginLoadError(
        `plugin "${name}" bundles its own copy of @imd-host/sdk (${v} in ${path.dirname(own)}); two copies break the plugin contract. Declare @imd-host/sdk as a peerDependency of the plugin and reinstall it.`,
      );
    }
  }
}
