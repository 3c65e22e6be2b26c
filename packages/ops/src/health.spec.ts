import { healthReport } from './health';
import { status } from './spec-fixtures';

describe('health', () => {
  test('200 and ok when every module is connected and has no device/communication fault', () => {
    const r = healthReport([status(), status({ moduleId: 'b', activeErrors: [{ type: 'VendorWarning' }] })], 10_000);
    expect(r.httpStatus).toBe(200);
    expect(r.body.status).toBe('ok');
    expect(r.body.modules[0]).toMatchObject({ moduleId: 'iso', healthy: true, problems: [], lastMeasurementAgeS: 1 });
  });

  test('503 with the reasons on DeviceFault, CommunicationFault or a lost connection', () => {
    const r = healthReport(
      [
        status({ activeErrors: [{ type: 'DeviceFault', subType: 'E01', message: 'circuit' }] }),
        status({ moduleId: 'b', connected: false, lastMeasurementAt: undefined }),
        status({ moduleId: 'c', activeErrors: [{ type: 'CommunicationFault', subType: 'imd-host/NoData' }] }),
        status({ moduleId: 'd' }),
      ],
      10_000,
    );
    expect(r.httpStatus).toBe(503);
    expect(r.body.status).toBe('fail');
    expect(r.body.modules.map((m) => m.problems)).toEqual([
      ['DeviceFault/E01: circuit'],
      ['not connected to the MQTT broker'],
      ['CommunicationFault/imd-host/NoData'],
      [],
    ]);
    expect(r.body.modules[1].lastMeasurementAgeS).toBeNull();
  });

  test('no module running is not healthy', () => {
    expect(healthReport([], 0)).toEqual({ httpStatus: 503, body: { status: 'fail', modules: [] } });
  });
});
