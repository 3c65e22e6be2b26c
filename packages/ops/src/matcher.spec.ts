import { fieldMismatch, fieldOf, matches, messageMismatch, type ObservedMessage } from './matcher';

const msg = (kind: string, value: unknown, moduleId = 'm1', valid = true): ObservedMessage => ({
  moduleId,
  kind,
  valid,
  value,
});

describe('expectation matcher', () => {
  test('literal, equals, bounds and exists conditions', () => {
    expect(fieldMismatch('DeviceFault', 'DeviceFault')).toBeUndefined();
    expect(fieldMismatch('VendorError', 'DeviceFault')).toBe('is "VendorError", expected "DeviceFault"');
    expect(fieldMismatch(5, { min: 5, max: 5 })).toBeUndefined();
    expect(fieldMismatch(4.9, { min: 5 })).toBe('is 4.9, expected >= 5');
    expect(fieldMismatch(6, { max: 5 })).toBe('is 6, expected <= 5');
    expect(fieldMismatch('5', { min: 1 })).toBe('is "5", expected a number');
    expect(fieldMismatch(undefined, { min: 1 })).toBe('is undefined, expected a number');
    expect(fieldMismatch(undefined, { exists: false })).toBeUndefined();
    expect(fieldMismatch(undefined, { exists: true })).toBe('is missing');
    expect(fieldMismatch(1, { exists: false })).toBe('is 1, expected absent');
    expect(fieldMismatch({ a: [1, 2] }, { equals: { a: [1, 2] } })).toBeUndefined();
    expect(fieldMismatch({ a: [1, 2] }, { equals: { a: [2, 1] } })).toMatch(/expected/);
  });

  test('fields by dotted path; missing on non-objects', () => {
    expect(fieldOf({ a: { b: 3 } }, 'a.b')).toBe(3);
    expect(fieldOf(true, 'a')).toBeUndefined();
    expect(fieldOf({ a: [1] }, 'a.0')).toBeUndefined();
  });

  test('message patterns: kind, module, equals and where', () => {
    const m = msg('isolation_measurement', { resistance_F_Ohm: 50_000, voltage_V: 400 });
    expect(matches(m, { message: 'isolation_measurement', where: { resistance_F_Ohm: { min: 1000 } } })).toBe(true);
    expect(
      messageMismatch(m, { message: 'isolation_measurement', where: { resistance_F_Ohm: { min: 100_000 } } }),
    ).toBe('resistance_F_Ohm is 50000, expected >= 100000');
    expect(messageMismatch(m, { message: 'raise_error' })).toBe('kind isolation_measurement');
    expect(messageMismatch(m, { message: 'isolation_measurement', module: 'm2' })).toBe('module m1');
    expect(matches(msg('self_test_result', true), { message: 'self_test_result', equals: true })).toBe(true);
    expect(messageMismatch(msg('self_test_result', false), { message: 'self_test_result', equals: true })).toBe(
      'payload false, expected true',
    );
    // `where` on a boolean payload cannot hold.
    expect(matches(msg('self_test_result', true), { message: 'self_test_result', where: { x: 1 } })).toBe(false);
  });

  test('an invalid payload never satisfies an expectation', () => {
    const bad = msg('raise_error', { type: 'DeviceFault' }, 'm1', false);
    expect(messageMismatch(bad, { message: 'raise_error', where: { type: 'DeviceFault' } })).toBe('invalid payload');
  });
});
