import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import plugin from './index';
import { optionsSchema, resolveOptions, type BenderCanOptions } from './options';

function validator(warnings: string[] = []): (data: unknown) => { ok: boolean; errors: string } {
  const record = (...args: unknown[]): void => {
    warnings.push(args.map(String).join(' '));
  };
  // ajv's default strictness, as the host's `useDefaults: true, allErrors: true` gets it
  const ajv = new Ajv({
    useDefaults: true,
    allErrors: true,
    logger: { log: () => undefined, warn: record, error: record },
  });
  const validate = ajv.compile(optionsSchema);
  return (data) => ({ ok: validate(data), errors: ajv.errorsText(validate.errors) });
}

describe('options schema', () => {
  const validate = validator();

  it('compiles without strict-mode warnings (no ignored defaults, no unknown keywords)', () => {
    const warnings: string[] = [];
    validator(warnings);
    expect(warnings).toEqual([]);
  });

  it('accepts every options example', () => {
    expect(plugin.optionsExamples?.length).toBeGreaterThanOrEqual(3);
    for (const example of plugin.optionsExamples ?? []) {
      const r = validate(structuredClone(example));
      expect(r.errors).toBe('No errors');
      expect(r.ok).toBe(true);
    }
  });

  it('accepts the options of config/bender-iso165c.yaml', () => {
    const file = join(__dirname, '..', '..', '..', 'config', 'bender-iso165c.yaml');
    const config = parse(readFileSync(file, 'utf8')) as { modules: { plugin: string; options: unknown }[] };
    const modules = config.modules.filter((m) => m.plugin === 'bender-can');
    expect(modules.length).toBeGreaterThan(0);
    for (const m of modules) expect(validate(m.options).errors).toBe('No errors');
  });

  it('applies the defaults', () => {
    const data: Record<string, unknown> = { bus: { type: 'slcan', path: '/dev/ttyACM0' } };
    expect(validate(data).ok).toBe(true);
    expect(data).toEqual({
      bus: { type: 'slcan', path: '/dev/ttyACM0', bitrate: 500000, serialBaudRate: 115200 },
      model: 'iso165c',
      pollIntervalMs: 1000,
      responseTimeoutMs: 200,
      requestAttempts: 3,
      infoTimeoutMs: 3000,
      selfTestTimeoutMs: 30000,
      voltage: 'hv1',
      protocol: { requestId: 0x22, responseId: 0x23, infoId: 0x37, measurementStartValue: 1, measurementStopValue: 0 },
    });
  });

  it.each<[string, unknown]>([
    ['no bus', {}],
    ['unknown bus type', { bus: { type: 'pcan', channel: 'x' } }],
    ['socketcan without channel', { bus: { type: 'socketcan' } }],
    ['slcan without path', { bus: { type: 'slcan' } }],
    ['memory without name', { bus: { type: 'memory' } }],
    ['slcan bitrate not in S0..S8', { bus: { type: 'slcan', path: '/dev/x', bitrate: 333333 } }],
    ['unknown option', { bus: { type: 'memory', name: 'x' }, pollInterval: 5 }],
    ['unknown bus option', { bus: { type: 'memory', name: 'x', port: 1 } }],
    ['unknown model', { bus: { type: 'memory', name: 'x' }, model: 'iso175' }],
    ['poll interval too short', { bus: { type: 'memory', name: 'x' }, pollIntervalMs: 10 }],
    ['error threshold below device range', { bus: { type: 'memory', name: 'x' }, thresholds: { errorOhm: 1000 } }],
    ['warning threshold above range', { bus: { type: 'memory', name: 'x' }, thresholds: { warningOhm: 5_000_000 } }],
    ['threshold not in whole kΩ', { bus: { type: 'memory', name: 'x' }, thresholds: { errorOhm: 100_500 } }],
    ['mean factor 0', { bus: { type: 'memory', name: 'x' }, meanFactor: 0 }],
    ['extended CAN id', { bus: { type: 'memory', name: 'x' }, protocol: { infoId: 0x800 } }],
    ['string for a number', { bus: { type: 'memory', name: 'x' }, infoTimeoutMs: '3000' }],
  ])('rejects %s', (_name, options) => {
    expect(validate(options).ok).toBe(false);
  });

  it('resolveOptions applies defaults and rejects an error threshold not below the warning threshold', () => {
    const r = resolveOptions({ bus: { type: 'memory', name: 'x' } });
    expect(r.pollIntervalMs).toBe(1000);
    expect(r.protocol.infoId).toBe(0x37);
    const bad: BenderCanOptions = {
      bus: { type: 'memory', name: 'x' },
      thresholds: { errorOhm: 800_000, warningOhm: 750_000 },
    };
    expect(() => resolveOptions(bad)).toThrow(/below thresholds.warningOhm/);
    expect(() => resolveOptions({ bus: { type: 'slcan', path: '/dev/x', bitrate: 1 } })).toThrow(
      /not an slcan bitrate/,
    );
  });
});
