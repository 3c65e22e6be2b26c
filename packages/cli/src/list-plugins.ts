import { BUILTIN_PLUGINS, discoverPlugins } from '@imd-host/core';

/** `imd-host list-plugins`: built-in and installed plugins, from their package.json only. */
export function listPlugins(): number {
  const found = discoverPlugins(process.cwd());
  const shortName = new Map(Object.entries(BUILTIN_PLUGINS).map(([k, v]) => [v, k]));
  if (found.length === 0) {
    process.stdout.write('no imd-host plugins found\n');
    return 0;
  }
  const rows = found.map((p) => [
    shortName.get(p.packageName) ?? p.packageName,
    p.version,
    p.sdkRange ?? '?',
    p.compatible ? 'ok' : 'INCOMPATIBLE',
    p.description ?? '',
  ]);
  const head = ['plugin', 'version', 'sdk', 'compat', 'description'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  process.stdout.write([fmt(head), ...rows.map(fmt)].join('\n') + '\n');
  return 0;
}
