import { assertValidPayload, loadAsyncApiValidators } from '../../../test/support/asyncapi';
import { PAYLOAD_SCHEMAS } from './api-schemas';
import { PayloadValidator } from './payload-validator';

const v = new PayloadValidator();

const samples: Record<string, string[]> = {
  'm2e/isolation_measurement': [
    '{"resistance_F_Ohm":1000}',
    '{"resistance_F_Ohm":1.5e6,"voltage_V":400,"voltage_to_earth_l1e_V":200,"voltage_to_earth_l2e_V":-200}',
    '{"resistance_F_Ohm":1,"extra":"allowed"}',
    '{"voltage_V":400}',
    '{"resistance_F_Ohm":"1000"}',
    '{"resistance_F_Ohm":1,"voltage_V":null}',
    '1000',
    'null',
  ],
  'm2e/self_test_result': ['true', 'false', '"true"', '1', '{}'],
  'm2e/communication_check': ['true', 'false', '0', '"false"'],
  'm2e/raise_error': [
    '{"type":"DeviceFault"}',
    '{"type":"VendorWarning","sub_type":"W1","message":"m"}',
    '{"type":"Fault"}',
    '{"sub_type":"x"}',
    '{"type":"DeviceFault","sub_type":5}',
    '[]',
  ],
  'm2e/clear_error': ['{"type":"CommunicationFault"}', '{"type":"devicefault"}'],
  'e2m/start_self_test': ['500', '500.0', '"500"', '{}'],
  // -1 passes the AsyncAPI schema (type integer) but not its description (64-bit unsigned): see below.
  'e2m/heartbeat': ['0', '42', '1.5', '"1"'],
};

describe('payload validator (schemas embedded from the AsyncAPI file)', () => {
  test('the embedded schemas cover every channel of the AsyncAPI file', () => {
    expect(Object.keys(PAYLOAD_SCHEMAS).sort()).toEqual([...loadAsyncApiValidators().keys()].sort());
  });

  test.each(Object.entries(samples))('%s: same verdict as the AsyncAPI file', (address, payloads) => {
    const official = loadAsyncApiValidators();
    for (const p of payloads) {
      let expected = true;
      try {
        assertValidPayload(official, address, p);
      } catch {
        expected = false;
      }
      expect({ p, valid: v.check(address, p).valid }).toEqual({ p, valid: expected });
    }
  });

  test('reasons name the problem', () => {
    expect(v.check('m2e/isolation_measurement', '{"voltage_V":1}')).toMatchObject({
      valid: false,
      reason: "payload must have required property 'resistance_F_Ohm'",
    });
    expect(v.check('m2e/raise_error', '{"type":"Fault"}')).toMatchObject({
      valid: false,
      reason: '/type must be equal to one of the allowed values',
    });
    expect(v.check('m2e/self_test_result', 'tru')).toEqual({ valid: false, reason: 'not JSON: "tru"' });
    expect(v.check('m2e/nonsense', 'true')).toEqual({ valid: false, reason: 'unknown channel m2e/nonsense' });
  });

  test('heartbeats are uint64, read without losing precision', () => {
    expect(v.check('e2m/heartbeat', '18446744073709551615')).toEqual({ valid: true, value: 18446744073709551615n });
    expect(v.check('e2m/heartbeat', '9007199254740993')).toEqual({ valid: true, value: 9007199254740993n });
    expect(v.check('e2m/heartbeat', '18446744073709551616')).toMatchObject({ valid: false });
    expect(v.check('e2m/heartbeat', '1e3')).toMatchObject({ valid: false });
    expect(v.check('e2m/heartbeat', '-1')).toMatchObject({ valid: false });
  });
});
