import { isSdkCompatible, SDK_VERSION } from '@imd-host/sdk';
import defaultExport, { plugin, openCanBus, CanBusError, Iso165cSimulator } from './index';

describe('plugin descriptor', () => {
  it('is exported as default and as plugin', () => {
    expect(defaultExport).toBe(plugin);
  });

  it('describes itself', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../package.json') as { name: string; version: string };
    expect(plugin.name).toBe('@imd-host/plugin-bender-can');
    expect(plugin.name).toBe(pkg.name);
    expect(plugin.version).toBe(pkg.version);
    expect(plugin.sdkVersion).toBe(SDK_VERSION);
    expect(isSdkCompatible(plugin.sdkVersion)).toBe(true);
    expect(plugin.description).toMatch(/iso165C/);
    expect(plugin.simulators?.map((s) => s.name)).toEqual(['bender-iso165c']);
  });

  it('exports the reusable bus layer and the simulator', () => {
    expect(typeof openCanBus).toBe('function');
    expect(new CanBusError('x')).toBeInstanceOf(Error);
    expect(typeof Iso165cSimulator).toBe('function');
  });

  it('createDriver does no I/O and rejects inconsistent options', () => {
    const ctx = {
      moduleId: 'm',
      log: {
        trace: jest.fn(),
        debug: jest.fn(),
        info: jest.fn(),
        warn: jest.fn(),
        error: jest.fn(),
        fatal: jest.fn(),
        child: jest.fn(),
      },
      measurement: jest.fn(),
      raiseError: jest.fn(),
      clearError: jest.fn(),
    };
    const driver = plugin.createDriver({ bus: { type: 'socketcan', channel: 'can0' }, pollIntervalMs: 500 }, ctx);
    expect(driver.pollIntervalMs).toBe(500);
    expect(ctx.raiseError).not.toHaveBeenCalled();
    expect(() =>
      plugin.createDriver(
        { bus: { type: 'memory', name: 'x' }, thresholds: { errorOhm: 900_000, warningOhm: 800_000 } },
        ctx,
      ),
    ).toThrow(/errorOhm/);
  });
});
