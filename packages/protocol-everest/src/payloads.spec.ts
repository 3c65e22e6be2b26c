import fc from 'fast-check';
import Ajv, { type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ASYNCAPI_FILE } from '../../../test/support/asyncapi';
import {
  HEARTBEAT_MAX,
  errorPayload,
  measurementPayload,
  nextHeartbeat,
  parseCommand,
  parseHeartbeat,
  parseSelfTestVoltage,
} from './payloads';
import { moduleTopics } from './topics';

const b = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s) : s);

describe('parseHeartbeat', () => {
  test.each([
    ['0', 0n],
    ['42', 42n],
    [' 42\n', 42n],
    ['42.0', 42n],
    ['9007199254740993', 9007199254740993n], // 2^53 + 1: a double would round it
    ['18446744073709551615', HEARTBEAT_MAX],
  ])('%j → %s', (text, value) => {
    expect(parseHeartbeat(b(text))).toEqual({ ok: true, value });
  });
  test.each([
    '18446744073709551616',
    '99999999999999999999999',
    '-1',
    '1e3',
    '0x10',
    '01',
    'abc',
    '',
    '4.5',
    'null',
    '"5"',
  ])('rejects %j', (text) => {
    expect(parseHeartbeat(b(text)).ok).toBe(false);
  });
  test('rejects 1 MB and invalid UTF-8 without throwing', () => {
    expect(parseHeartbeat(Buffer.alloc(1024 * 1024, 0x31))).toEqual({
      ok: false,
      reason: expect.stringContaining('exceeds'),
    });
    expect(parseHeartbeat(Buffer.from([0xff, 0xfe, 0x31])).ok).toBe(false);
  });
  test('wraps from 2^64 - 1 to 0', () => {
    expect(nextHeartbeat(HEARTBEAT_MAX)).toBe(0n);
    expect(nextHeartbeat(41n)).toBe(42n);
  });
  test('property: every id in [0, 2^64 - 1] round-trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: HEARTBEAT_MAX }), (v) => {
        expect(parseHeartbeat(Buffer.from(v.toString()))).toEqual({ ok: true, value: v });
      }),
    );
  });
});

describe('parseSelfTestVoltage', () => {
  test.each([
    ['500', 500],
    ['500.0', 500],
    ['1000.5', 1000.5],
    ['2000', 2000],
  ])('%j → %d', (text, v) => {
    expect(parseSelfTestVoltage(b(text))).toEqual({ ok: true, value: v });
  });
  test.each(['0', '-1', '2001', 'NaN', 'Infinity', '1e309', '"500"', 'null', '{}', '[]', 'true', '', 'garbage'])(
    'rejects %j',
    (text) => {
      expect(parseSelfTestVoltage(b(text)).ok).toBe(false);
    },
  );
});

describe('parseCommand (start/stop)', () => {
  test.each(['', '{}', 'null', '[1]', '  {"x":1} '])('accepts %j', (t) => expect(parseCommand(b(t)).ok).toBe(true));
  test.each(['{', 'garbage', '\u0000'])('rejects %j', (t) => expect(parseCommand(b(t)).ok).toBe(false));
  test('rejects oversized payloads unread', () => {
    expect(parseCommand(Buffer.alloc(5000, 0x20))).toEqual({ ok: false, reason: 'payload of 5000 bytes exceeds 4096' });
  });
});

test('property: no byte sequence makes a parser throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 6000 }), (bytes) => {
      const buf = Buffer.from(bytes);
      parseHeartbeat(buf);
      parseSelfTestVoltage(buf);
      parseCommand(buf);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string(), fc.jsonValue(), (s, j) => {
      for (const t of [s, JSON.stringify(j) ?? '']) {
        parseHeartbeat(Buffer.from(t));
        parseSelfTestVoltage(Buffer.from(t));
        parseCommand(Buffer.from(t));
      }
    }),
  );
});

describe('m2e payloads are valid per the AsyncAPI schema', () => {
  const file = ASYNCAPI_FILE;
  let schemas: Record<string, ValidateFunction>;
  beforeAll(() => {
    if (!existsSync(file)) throw new Error(`the AsyncAPI spec is missing at ${file}`);
    const doc = parse(readFileSync(file, 'utf8')) as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'api', components: doc.components });
    const get = (name: string): ValidateFunction => ajv.compile({ $ref: `api#/components/schemas/${name}` });
    schemas = { IsolationMeasurement: get('IsolationMeasurement'), Error: get('Error') };
  });

  test('measurements, with and without the optional fields', () => {
    for (const m of [
      { resistanceOhm: 0 },
      { resistanceOhm: 2.5e6, voltageV: 400 },
      { resistanceOhm: 1e9, voltageV: -3.5, voltageToEarthL1eV: 200, voltageToEarthL2eV: -200 },
    ]) {
      const payload = JSON.parse(measurementPayload(m));
      expect(schemas.IsolationMeasurement(payload)).toBe(true);
    }
    expect(measurementPayload({ resistanceOhm: 1, voltageToEarthL2eV: 2 })).toBe(
      '{"resistance_F_Ohm":1,"voltage_to_earth_l2e_V":2}',
    );
  });

  test('errors', () => {
    for (const e of [
      { type: 'DeviceFault' as const },
      { type: 'CommunicationFault' as const, subType: 'imd-host/NoData', message: 'quote " and \\ backslash' },
      { type: 'VendorError' as const, subType: '1038' },
      { type: 'VendorWarning' as const, message: 'x' },
    ]) {
      const payload = JSON.parse(errorPayload(e));
      expect(schemas.Error(payload)).toBe(true);
      expect(payload.type).toBe(e.type);
    }
  });

  test('property: any finite measurement gives a valid payload', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
        fc.option(finite, { nil: undefined }),
        (r, v) => {
          const payload = JSON.parse(measurementPayload({ resistanceOhm: r, voltageV: v }));
          expect(schemas.IsolationMeasurement(payload)).toBe(true);
          expect(payload.resistance_F_Ohm).toBe(r === 0 ? 0 : r); // -0 prints as 0
        },
      ),
    );
  });
});

test('topics', () => {
  const t = moduleTopics('everest_api/1/isolation_monitor/', 'iso');
  expect(t.start).toBe('everest_api/1/isolation_monitor/iso/e2m/start');
  expect(t.communicationCheck).toBe('everest_api/1/isolation_monitor/iso/m2e/communication_check');
  for (const bad of ['a/b', '+', '#', '', 'a b']) expect(() => moduleTopics('p', bad)).toThrow('invalid module id');
});
