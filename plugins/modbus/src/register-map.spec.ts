import Ajv from 'ajv';
import plugin, { resolveRegisterMap } from './index';
import { withConnectionDefaults } from './options';
import { PRESETS } from './presets';
import {
  decodeValue,
  encodeRaw,
  planReads,
  registerMapSchema,
  type RegisterSnapshot,
  type ValueSpec,
} from './register-map';

const snap = (holding: Record<number, number>, input: Record<number, number> = {}): RegisterSnapshot => ({
  holding: new Map(Object.entries(holding).map(([k, v]) => [Number(k), v])),
  input: new Map(Object.entries(input).map(([k, v]) => [Number(k), v])),
});

describe('decoding', () => {
  const at = (spec: Omit<ValueSpec, 'address' | 'function'>, raw: number): number | undefined => {
    const words = encodeRaw(spec, raw);
    return decodeValue({ address: 10, function: 'holding', ...spec }, snap({ 10: words[0], 11: words[1] ?? 0 }));
  };
  test('float32 in both word orders', () => {
    expect(at({ type: 'float32', wordOrder: 'big' }, 1234567)).toBe(1234567);
    expect(at({ type: 'float32', wordOrder: 'little' }, 1234567)).toBe(1234567);
    // The same registers read with the other word order give another number: the order matters.
    const words = encodeRaw({ type: 'float32', wordOrder: 'big' }, 1234567);
    expect(
      decodeValue(
        { address: 0, function: 'holding', type: 'float32', wordOrder: 'little' },
        snap({ 0: words[0], 1: words[1] }),
      ),
    ).not.toBe(1234567);
    expect(words).toEqual([0x4996, 0xb438]); // 1234567.0f = 0x4996B438, high word first
  });
  test('integers, sign, scale', () => {
    expect(at({ type: 'uint16', scale: 100 }, 12345)).toBe(1234500);
    expect(at({ type: 'int16' }, -5)).toBe(-5);
    expect(decodeValue({ address: 0, function: 'input', type: 'int16' }, snap({}, { 0: 0xfffb }))).toBe(-5);
    expect(at({ type: 'uint32', wordOrder: 'little' }, 3_000_000_000)).toBe(3_000_000_000);
    expect(at({ type: 'int32', scale: 0.1 }, -20)).toBeCloseTo(-2);
  });
  test('sentinels: invalid raw values and over-range', () => {
    expect(at({ type: 'uint16', invalidRaw: [0xffff] }, 0xffff)).toBeUndefined();
    expect(at({ type: 'uint16', scale: 100, overRange: { raw: 0xffff, value: 2000001 } }, 0xffff)).toBe(2000001);
    expect(at({ type: 'float32' }, Number.NaN)).toBeUndefined();
  });
  test('validity bits', () => {
    const spec: ValueSpec = {
      address: 0,
      function: 'holding',
      type: 'uint16',
      invalidWhen: { address: 1, function: 'holding', mask: 0xc0, equals: 0xc0 },
    };
    expect(decodeValue(spec, snap({ 0: 7, 1: 0x02 }))).toBe(7);
    expect(decodeValue(spec, snap({ 0: 7, 1: 0xc2 }))).toBeUndefined();
  });
  test('reads are planned as few contiguous blocks', () => {
    expect(
      planReads([
        { address: 1000, function: 'holding', words: 2 },
        { address: 1002, function: 'holding' },
        { address: 1008, function: 'holding', words: 2 },
        { address: 1016, function: 'holding', words: 2 },
        { address: 1200, function: 'holding' },
        { address: 0, function: 'input' },
        { address: 1, function: 'input' },
      ]),
    ).toEqual([
      { function: 'holding', start: 1000, count: 18 },
      { function: 'holding', start: 1200, count: 1 },
      { function: 'input', start: 0, count: 2 },
    ]);
  });
});

describe('schemas', () => {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const validateOptions = ajv.compile(plugin.optionsSchema);
  const validateMap = ajv.compile(registerMapSchema);

  test('every preset is a valid register map', () => {
    for (const [name, map] of Object.entries(PRESETS))
      expect({ name, ok: validateMap(map), errors: validateMap.errors }).toEqual({ name, ok: true, errors: null });
  });
  test('every options example validates, defaults applied', () => {
    for (const ex of plugin.optionsExamples ?? []) expect(validateOptions(structuredClone(ex))).toBe(true);
    const o: Record<string, unknown> = {
      connection: { type: 'rtu', path: '/dev/ttyUSB0' },
      unitId: 3,
      preset: 'bender-isocha425hv',
    };
    expect(validateOptions(o)).toBe(true);
    expect(withConnectionDefaults(o.connection as Record<string, unknown>)).toEqual({
      type: 'rtu',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      parity: 'even',
      dataBits: 8,
      stopBits: 1,
    });
    expect(withConnectionDefaults({ type: 'tcp', host: 'h' })).toEqual({ type: 'tcp', host: 'h', port: 502 });
    expect(o).toMatchObject({
      pollIntervalMs: 1000,
      timeoutMs: 500,
      retries: 1,
      commFaultAfterFailures: 3,
      idleCheckIntervalMs: 5000,
    });
  });
  test.each([
    [{ connection: { type: 'rtu', path: '/dev/x' }, unitId: 300, preset: 'dold-rn5893' }, 'unit id out of range'],
    [{ connection: { type: 'udp', host: 'x' }, unitId: 1, preset: 'dold-rn5893' }, 'unknown connection type'],
    [{ connection: { type: 'tcp', host: 'x' }, unitId: 1, preset: 'nope' }, 'unknown preset'],
    [{ connection: { type: 'tcp', host: 'x' }, unitId: 1 }, 'neither preset nor registers'],
    [{ connection: { type: 'tcp', host: 'x' }, unitId: 1, registers: { values: {} } }, 'incomplete custom map'],
    [{ connection: { type: 'tcp', host: 'x' }, unitId: 1, preset: 'dold-rn5893', pollIntervalMs: 5 }, 'poll too fast'],
  ])('rejects %j (%s)', (o: object, _why: string) => {
    expect(validateOptions(structuredClone(o))).toBe(false);
  });
  test('overrides are merged into the preset and the result validated', () => {
    const m = resolveRegisterMap({
      preset: 'dold-rn5893',
      registers: { selfTest: { timeoutMs: 5000 }, values: { voltage: { scale: 0.1 } } },
    });
    expect(m.selfTest?.timeoutMs).toBe(5000);
    expect(m.selfTest?.trigger).toEqual(PRESETS['dold-rn5893'].selfTest?.trigger);
    expect(m.values.voltage).toMatchObject({ address: 2002, scale: 0.1 });
    expect(() =>
      resolveRegisterMap({ preset: 'dold-rn5893', registers: { values: { resistance: { type: 'float64' } } } }),
    ).toThrow(/invalid register map: registers\.values\.resistance\.type: must be equal to one of the allowed values/);
  });
});
