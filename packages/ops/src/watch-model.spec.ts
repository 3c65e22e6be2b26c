import { WatchModel } from './watch-model';
import { PLAIN_STYLE, renderWatch } from './watch-render';

const P = 'everest_api/1/isolation_monitor';
const t = (id: string, rest: string): string => `${P}/${id}/${rest}`;

describe('watch state model', () => {
  test('state from commands and answers; measurement, heartbeat, comm check', () => {
    const m = new WatchModel(P);
    expect(m.apply('other/topic', '{}', 0)).toBe(false);
    m.apply(t('a', 'm2e/communication_check'), 'true', 1000);
    expect(m.modules()[0]).toMatchObject({ moduleId: 'a', activity: 'unknown', commCheck: { at: 1000, value: true } });
    m.apply(t('a', 'e2m/start'), '{}', 1100);
    expect(m.modules()[0].activity).toBe('measuring');
    m.apply(t('a', 'm2e/isolation_measurement'), '{"resistance_F_Ohm":2000000,"voltage_V":400}', 1200);
    m.apply(t('a', 'e2m/heartbeat'), '18446744073709551615', 1300);
    m.apply(t('a', 'e2m/start_self_test'), '500', 1400);
    expect(m.modules()[0]).toMatchObject({
      activity: 'self test running',
      selfTestRunning: { since: 1400, voltage: 500 },
      lastMeasurement: { at: 1200, resistanceOhm: 2_000_000, voltageV: 400 },
      heartbeat: { at: 1300, id: '18446744073709551615' },
    });
    m.apply(t('a', 'm2e/self_test_result'), 'false', 1900);
    expect(m.modules()[0]).toMatchObject({
      activity: 'measuring',
      selfTests: [{ at: 1900, result: false, voltage: 500, requestedAt: 1400 }],
    });
    m.apply(t('a', 'e2m/stop'), '{}', 2000);
    expect(m.modules()[0].activity).toBe('stopped');
    expect(m.modules()[0].counts).toMatchObject({ 'e2m/start': 1, 'e2m/stop': 1, 'm2e/isolation_measurement': 1 });
  });

  test('a watch that starts late infers measuring from measurements', () => {
    const m = new WatchModel(P);
    m.apply(t('b', 'm2e/isolation_measurement'), '{"resistance_F_Ohm":1}', 5);
    expect(m.modules()[0].activity).toBe('measuring');
  });

  test('errors: raise per type and sub type, clear with sub type, clear of a type clears all its sub types', () => {
    const m = new WatchModel(P);
    m.apply(t('a', 'm2e/raise_error'), '{"type":"DeviceFault","sub_type":"E1","message":"x"}', 10);
    m.apply(t('a', 'm2e/raise_error'), '{"type":"DeviceFault","sub_type":"E2"}', 20);
    m.apply(t('a', 'm2e/raise_error'), '{"type":"VendorWarning"}', 30);
    // Raised again (re-sent after a reconnect): keeps its first time.
    m.apply(t('a', 'm2e/raise_error'), '{"type":"DeviceFault","sub_type":"E1","message":"x"}', 40);
    expect(m.modules()[0].activeErrors).toEqual([
      { type: 'DeviceFault', subType: 'E1', message: 'x', since: 10 },
      { type: 'DeviceFault', subType: 'E2', since: 20 },
      { type: 'VendorWarning', since: 30 },
    ]);
    m.apply(t('a', 'm2e/clear_error'), '{"type":"DeviceFault","sub_type":"E2"}', 50);
    expect(m.modules()[0].activeErrors.map((e) => e.subType)).toEqual(['E1', undefined]);
    m.apply(t('a', 'm2e/clear_error'), '{"type":"DeviceFault"}', 60);
    expect(m.modules()[0].activeErrors).toEqual([{ type: 'VendorWarning', since: 30 }]);
  });

  test('self-test history keeps the last N; invalid payloads are counted, not applied', () => {
    const m = new WatchModel(P, 3);
    for (let i = 0; i < 5; i++) m.apply(t('a', 'm2e/self_test_result'), i % 2 === 0 ? 'true' : 'false', i);
    expect(m.modules()[0].selfTests.map((s) => s.at)).toEqual([2, 3, 4]);
    m.apply(t('a', 'm2e/raise_error'), '{"type":"Broken"}', 9);
    m.apply(t('a', 'm2e/isolation_measurement'), 'not json', 9);
    expect(m.modules()[0]).toMatchObject({ invalidPayloads: 2, activeErrors: [] });
    expect(m.modules()[0].lastMeasurement).toBeUndefined();
  });

  test('the rendered view shows state, resistance, errors, self tests and ages', () => {
    const m = new WatchModel(P);
    m.apply(t('right', 'm2e/communication_check'), 'true', 9_000);
    m.apply(t('left', 'e2m/start'), '{}', 1000);
    m.apply(t('left', 'm2e/isolation_measurement'), '{"resistance_F_Ohm":90000}', 9_500);
    m.apply(t('left', 'm2e/raise_error'), '{"type":"DeviceFault","sub_type":"E01","message":"circuit"}', 8_000);
    m.apply(t('left', 'm2e/self_test_result'), 'true', 7_000);
    const text = renderWatch(m.modules(), {
      url: 'mqtt://b',
      prefix: P,
      now: 10_000,
      style: PLAIN_STYLE,
      connected: true,
    });
    expect(text[0]).toMatch(/^imd-host watch {2}mqtt:\/\/b {2}everest_api\/1\/isolation_monitor .* connected$/);
    expect(text.join('\n')).toContain('left  MEASURING  R = 90.0 kOhm  (0.5 s ago)');
    expect(text).toContain('  ERROR DeviceFault/E01 "circuit" since 2.0 s');
    expect(text.find((l) => l.startsWith('  self tests:'))).toMatch(/PASS$/);
    expect(text).toContain('right  UNKNOWN  no measurement seen');
    expect(text).toContain('  communication_check: true 1.0 s ago   heartbeat: none seen');
  });
});
