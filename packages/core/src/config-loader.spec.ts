import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, pointerToPath } from './config-errors';
import { loadConfig } from './config-loader';
import { substituteEnv } from './env-substitution';
import { PluginLoader } from './plugin-loader';
import { tempDir } from '../../../test/support/host';

/** A temp dir with a path plugin `./fake-plugin.js` whose options schema requires intervalMs >= 10. */
function fixtureDir(): string {
  const dir = tempDir('imd-core-');
  writeFileSync(
    path.join(dir, 'fake-plugin.js'),
    `const sdk = require(${JSON.stringify(require.resolve('@imd-host/sdk'))});
module.exports.default = {
  name: 'fake', version: '1.0.0', sdkVersion: sdk.SDK_VERSION,
  optionsSchema: { type: 'object', additionalProperties: false, properties: {
    intervalMs: { type: 'integer', minimum: 10, default: 1000 }, mode: { enum: ['a', 'b'] } } },
  createDriver: () => ({ pollIntervalMs: 1000, open: async () => {}, start: async () => {}, stop: async () => {}, selfTest: async () => true, close: async () => {} }),
};`,
  );
  writeFileSync(
    path.join(dir, 'old-plugin.js'),
    `module.exports.plugin = { name: 'old', version: '0.1.0', sdkVersion: '0.9.0', optionsSchema: {}, createDriver() {} };`,
  );
  writeFileSync(path.join(dir, 'not-a-plugin.js'), `module.exports = { hello: 1 };`);
  writeFileSync(path.join(dir, 'throws.js'), `throw new Error('boom at load');`);
  return dir;
}

function write(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('applies defaults for the host and the plugin options', () => {
    const dir = fixtureDir();
    const file = write(dir, 'imd-host.config.yaml', 'modules:\n  - moduleId: iso\n    plugin: ./fake-plugin.js\n');
    const loaded = loadConfig({ file, cwd: dir });
    expect(loaded.config.mqtt).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      clientId: 'imd-host',
      keepaliveS: 10,
      embeddedBroker: false,
    });
    expect(loaded.config.everest.topicPrefix).toBe('everest_api/1/isolation_monitor');
    expect(loaded.config.log.level).toBe('info');
    expect(loaded.modules[0].config).toMatchObject({
      moduleId: 'iso',
      communicationCheckIntervalS: 1,
      selfTestTimeoutS: 30,
    });
    expect(loaded.modules[0].config.options).toEqual({ intervalMs: 1000 });
    expect(loaded.modules[0].plugin.descriptor.name).toBe('fake');
  });

  test('is found by cosmiconfig: imd-host.config.yaml, .imd-hostrc.json, package.json#imd-host', () => {
    const a = fixtureDir();
    write(a, 'imd-host.config.yaml', 'modules: [{ moduleId: a, plugin: ./fake-plugin.js }]\n');
    expect(loadConfig({ cwd: a }).modules[0].config.moduleId).toBe('a');
    const b = fixtureDir();
    write(b, '.imd-hostrc.json', JSON.stringify({ modules: [{ moduleId: 'b', plugin: './fake-plugin.js' }] }));
    expect(loadConfig({ cwd: b }).modules[0].config.moduleId).toBe('b');
    const c = fixtureDir();
    write(
      c,
      'package.json',
      JSON.stringify({ name: 'x', 'imd-host': { modules: [{ moduleId: 'c', plugin: './fake-plugin.js' }] } }),
    );
    expect(loadConfig({ cwd: c }).modules[0].config.moduleId).toBe('c');
  });

  test('no config anywhere: a clear message', () => {
    const dir = tempDir('imd-empty-');
    expect(problems(() => loadConfig({ cwd: dir })).join('\n')).toMatch(/no configuration found.*--config/);
  });

  test('every problem listed as file: path: message, plugin options included', () => {
    const dir = fixtureDir();
    write(
      dir,
      'imd-host.config.yaml',
      [
        'mqtt:',
        '  url: http://nope',
        '  keepaliveS: 0',
        '  colour: red',
        'modules:',
        '  - moduleId: iso',
        '    plugin: ./fake-plugin.js',
        '    options: { intervalMs: 5, mode: c }',
        '  - moduleId: iso',
        '    plugin: ./fake-plugin.js',
        '    selfTestTimeoutS: -1',
        '  - plugin: ./fake-plugin.js',
        '',
      ].join('\n'),
    );
    const lines = problems(() => loadConfig({ cwd: dir }));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^imd-host\.config\.yaml: mqtt\.url: must match pattern/),
        'imd-host.config.yaml: mqtt.keepaliveS: must be >= 1',
        'imd-host.config.yaml: mqtt.colour: is not a known setting here',
        'imd-host.config.yaml: modules[1].selfTestTimeoutS: must be > 0',
        'imd-host.config.yaml: modules[2].moduleId: is required',
      ]),
    );
    // Host-schema problems stop before plugin options are checked; fix them and the rest appears.
    write(
      dir,
      'imd-host.config.yaml',
      [
        'modules:',
        '  - moduleId: iso',
        '    plugin: ./fake-plugin.js',
        '    options: { intervalMs: 5, mode: c, extra: 1 }',
        '  - moduleId: iso',
        '    plugin: ./fake-plugin.js',
        '  - moduleId: other',
        '    plugin: ./missing-plugin.js',
        '',
      ].join('\n'),
    );
    expect(problems(() => loadConfig({ cwd: dir }))).toEqual([
      'imd-host.config.yaml: modules[1].moduleId: duplicate module id "iso" (also modules[0])',
      'imd-host.config.yaml: modules[0].options.extra: is not a known setting here',
      'imd-host.config.yaml: modules[0].options.intervalMs: must be >= 10',
      'imd-host.config.yaml: modules[0].options.mode: must be one of: "a", "b"',
      expect.stringMatching(
        /^imd-host\.config\.yaml: modules\[2\]\.plugin: cannot find plugin "\.\/missing-plugin\.js": no module at /,
      ),
    ]);
  });

  test('YAML syntax errors name the file', () => {
    const dir = fixtureDir();
    const file = write(dir, 'bad.yaml', 'modules: [\n  - {');
    const lines = problems(() => loadConfig({ file, cwd: dir }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bad\.yaml: \(file\): .*(flow|collection|end)/i);
  });

  test('an explicit file that does not exist', () => {
    const dir = fixtureDir();
    expect(problems(() => loadConfig({ file: 'nope.yaml', cwd: dir }))).toEqual(['nope.yaml: (file): file not found']);
  });

  test('${ENV} substitution with defaults; unset variables are errors; passwordFile is read', () => {
    const dir = fixtureDir();
    write(dir, 'secret.txt', 's3cret\n');
    write(
      dir,
      'imd-host.config.yaml',
      'mqtt:\n  url: mqtt://${BROKER_HOST:-127.0.0.1}:${BROKER_PORT}\n  username: ${MQTT_USER}\n  passwordFile: secret.txt\nmodules: [{ moduleId: a, plugin: ./fake-plugin.js }]\n',
    );
    const loaded = loadConfig({ cwd: dir, env: { BROKER_PORT: '1999', MQTT_USER: 'imd' } });
    expect(loaded.config.mqtt.url).toBe('mqtt://127.0.0.1:1999');
    expect(loaded.config.mqtt.username).toBe('imd');
    expect(loaded.config.mqtt.password).toBe('s3cret');
    expect(problems(() => loadConfig({ cwd: dir, env: {} }))).toEqual([
      'imd-host.config.yaml: mqtt.url: environment variable BROKER_PORT is not set',
      'imd-host.config.yaml: mqtt.username: environment variable MQTT_USER is not set',
    ]);
  });

  test('missing TLS and password files stop startup', () => {
    const dir = fixtureDir();
    write(
      dir,
      'imd-host.config.yaml',
      'mqtt:\n  url: mqtts://broker:8883\n  passwordFile: nope.txt\n  tls: { ca: ca.pem }\nmodules: [{ moduleId: a, plugin: ./fake-plugin.js }]\n',
    );
    const lines = problems(() => loadConfig({ cwd: dir }));
    expect(lines).toEqual([
      expect.stringMatching(/mqtt\.passwordFile: cannot read .*nope\.txt: ENOENT/),
      expect.stringMatching(/mqtt\.tls\.ca: cannot read .*ca\.pem: ENOENT/),
    ]);
  });
});

describe('PluginLoader', () => {
  const dir = fixtureDir();
  const loader = new PluginLoader();

  test('built-in short names map to our packages', () => {
    expect(loader.specifierFor('mock', dir)).toBe('@imd-host/plugin-mock');
    expect(loader.specifierFor('modbus', dir)).toBe('@imd-host/plugin-modbus');
    expect(loader.specifierFor('bender-can', dir)).toBe('@imd-host/plugin-bender-can');
    expect(loader.specifierFor('imd-host-plugin-x', dir)).toBe('imd-host-plugin-x');
    expect(loader.specifierFor('./p.js', dir)).toBe(path.join(dir, 'p.js'));
  });

  test('loads a path plugin once', () => {
    const a = loader.load('./fake-plugin.js', dir);
    expect(loader.load(path.join(dir, 'fake-plugin.js'), '/')).toBe(a);
  });

  test('clear errors: not installed, not a plugin, throws while loading, incompatible SDK', () => {
    expect(() => loader.load('imd-host-plugin-does-not-exist', dir)).toThrow(
      'cannot find plugin "imd-host-plugin-does-not-exist": package "imd-host-plugin-does-not-exist" is not installed (npm install imd-host-plugin-does-not-exist)',
    );
    expect(() => loader.load('./not-a-plugin.js', dir)).toThrow(
      /is not an imd-host plugin: it exports no plugin descriptor/,
    );
    expect(() => loader.load('./throws.js', dir)).toThrow(/failed to load from .*throws\.js: boom at load/);
    expect(() => loader.load('./old-plugin.js', dir)).toThrow(
      /was built for @imd-host\/sdk 0\.9\.0, but this host has @imd-host\/sdk 1\.\d+\.\d+/,
    );
  });

  test('a plugin bundling its own copy of the SDK is refused', () => {
    // A fresh folder: jest's resolver caches that the shared one had no node_modules.
    const dir = fixtureDir();
    const pkg = path.join(dir, 'node_modules', 'imd-host-plugin-bundled');
    mkdirSync(path.join(pkg, 'node_modules', '@imd-host', 'sdk'), { recursive: true });
    writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: 'imd-host-plugin-bundled', version: '1.0.0', main: 'index.js' }),
    );
    writeFileSync(
      path.join(pkg, 'index.js'),
      `module.exports.default = { name: 'b', version: '1.0.0', sdkVersion: '1.0.0', optionsSchema: {}, createDriver() {} };`,
    );
    writeFileSync(
      path.join(pkg, 'node_modules', '@imd-host', 'sdk', 'package.json'),
      JSON.stringify({ name: '@imd-host/sdk', version: '1.0.0' }),
    );
    expect(() => loader.load('imd-host-plugin-bundled', dir)).toThrow(
      /bundles its own copy of @imd-host\/sdk \(1\.0\.0/,
    );
  });
});

test('pointerToPath', () => {
  expect(pointerToPath('')).toBe('(root)');
  expect(pointerToPath('/modules/1/options/intervalMs')).toBe('modules[1].options.intervalMs');
  expect(pointerToPath('/a~1b/c d')).toBe('["a/b"]["c d"]');
});

test('substituteEnv keeps $${X} literal', () => {
  expect(substituteEnv({ a: ['$${X}', '${X}'] }, { X: 'y' }).value).toEqual({ a: ['${X}', 'y'] });
});
