import type { PluginDescriptor } from './types';

/** The version of this SDK. Plugins copy it into their descriptor's `sdkVersion`. */
export const SDK_VERSION = '1.0.0';

/** The keyword every plugin package lists in its package.json `keywords`. */
export const PLUGIN_KEYWORD = 'imd-host-plugin';

/** The package.json field holding a plugin's {@link PluginManifest}. */
export const MANIFEST_FIELD = 'imd-host';

/**
 * Declare a plugin. An identity function that gives the descriptor its type, so that
 * `createDriver` receives typed options:
 *
 * ```ts
 * export default definePlugin<MyOptions>({ name, version, sdkVersion: SDK_VERSION, ... });
 * ```
 */
export function definePlugin<Options>(descriptor: PluginDescriptor<Options>): PluginDescriptor<Options> {
  return descriptor;
}

/** The major version of a semver string, or `undefined` when it is not one. */
export function semverMajor(version: string): number | undefined {
  const m = /^\s*[v=]?\s*(\d+)\.\d+\.\d+/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether a plugin built against `pluginSdkVersion` can run on a host with `hostSdkVersion`:
 * the same major version, and a host at least as new as the plugin.
 */
export function isSdkCompatible(pluginSdkVersion: string, hostSdkVersion: string = SDK_VERSION): boolean {
  const p = /^\s*[v=]?\s*(\d+)\.(\d+)\.(\d+)/.exec(pluginSdkVersion);
  const h = /^\s*[v=]?\s*(\d+)\.(\d+)\.(\d+)/.exec(hostSdkVersion);
  if (!p || !h) return false;
  if (p[1] !== h[1]) return false;
  const pm = Number(p[2]);
  const hm = Number(h[2]);
  return hm > pm || (hm === pm && Number(h[3]) >= Number(p[3]));
}
