/**
 * Short names of the plugins that ship with imd-host, and the packages they stand for.
 * Data, not code: any other name in `plugin:` is an npm package name or a path.
 */
export const BUILTIN_PLUGINS: Readonly<Record<string, string>> = {
  mock: '@imd-host/plugin-mock',
  modbus: '@imd-host/plugin-modbus',
  'bender-can': '@imd-host/plugin-bender-can',
};
