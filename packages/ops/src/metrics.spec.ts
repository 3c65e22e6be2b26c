import { register as globalRegistry } from 'prom-client';
import { status } from './spec-fixtures';
import { OpsMetrics, heartbeatAdvance } from './metrics';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  test('counters follow the session counters between samples', async () => {
    const m = new OpsMetrics();
    m.sample([status({ measuring: false, published: { measurements: 0 }, lastHeartbeat: '5' })], 1000);
    m.sample(
      [
        status({
          published: {
            measurements: 7,
            selfTestResults: 1,
            selfTestsPassed: 1,
            raisedErrors: 2,
            communicationChecks: 9,
          },
          received: { heartbeat: 4, start: 1, startSelfTest: 1 },
          lastHeartbeat: '8',
          activeErrors: [{ type: 'DeviceFault', subType: 'E01' }, { type: 'VendorWarning' }],
          dropped: { measurements: 2, invalidPayloads: 3 },
          heartbeatGaps: 1,
          selfTestActive: true,
        }),
      ],
      10_000,
    );
    let text = await m.render();
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="isolation_measurement"}')).toBe(7);
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="self_test_result"}')).toBe(1);
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="raise_error"}')).toBe(2);
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="communication_check"}')).toBe(9);
    expect(value(text, 'imd_self_tests_total{module="iso",result="passed"}')).toBe(1);
    expect(value(text, 'imd_self_tests_total{module="iso",result="failed"}')).toBe(0);
    expect(value(text, 'imd_e2m_received_total{module="iso",kind="heartbeat"}')).toBe(4);
    expect(value(text, 'imd_e2m_received_total{module="iso",kind="start"}')).toBe(1);
    expect(value(text, 'imd_e2m_received_total{module="iso",kind="start_self_test"}')).toBe(1);
    expect(value(text, 'imd_e2m_invalid_payloads_total{module="iso"}')).toBe(3);
    expect(value(text, 'imd_measurements_dropped_total{module="iso"}')).toBe(2);
    expect(value(text, 'imd_heartbeat_gaps_total{module="iso"}')).toBe(1);
    expect(value(text, 'imd_active_errors{module="iso",type="DeviceFault"}')).toBe(1);
    expect(value(text, 'imd_active_errors{module="iso",type="VendorWarning"}')).toBe(1);
    expect(value(text, 'imd_active_errors{module="iso",type="CommunicationFault"}')).toBe(0);
    expect(value(text, 'imd_last_measurement_age_seconds{module="iso"}')).toBe(1);
    expect(value(text, 'imd_measuring{module="iso"}')).toBe(1);

    // Cleared, stopped, more measurements.
    m.sample(
      [
        status({
          measuring: false,
          published: {
            measurements: 9,
            selfTestResults: 2,
            selfTestsPassed: 1,
            selfTestsFailed: 1,
            raisedErrors: 2,
            clearedErrors: 2,
            communicationChecks: 9,
          },
          received: { heartbeat: 4, start: 1, stop: 1, startSelfTest: 2 },
        }),
      ],
      11_000,
    );
    text = await m.render();
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="isolation_measurement"}')).toBe(9);
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="clear_error"}')).toBe(2);
    expect(value(text, 'imd_e2m_received_total{module="iso",kind="stop"}')).toBe(1);
    expect(value(text, 'imd_self_tests_total{module="iso",result="failed"}')).toBe(1);
    expect(value(text, 'imd_active_errors{module="iso",type="DeviceFault"}')).toBe(0);
  });

  test('reconnects: from the session counter', async () => {
    const m = new OpsMetrics();
    for (const [connected, reconnects] of [
      [false, 0],
      [true, 0],
      [false, 0],
      [true, 1],
      [false, 1],
      [true, 2],
    ] as const) {
      m.sample([status({ connected, reconnects })], 0);
    }
    const text = await m.render();
    expect(value(text, 'imd_mqtt_reconnects_total{module="iso"}')).toBe(2);
    expect(value(text, 'imd_mqtt_connected{module="iso"}')).toBe(1);
  });

  test('a restarted module (counters lower) counts from zero; a removed one loses its gauges', async () => {
    const m = new OpsMetrics();
    m.sample([status({ published: { measurements: 10 } })], 0);
    m.sample([status({ published: { measurements: 4 } })], 0);
    let text = await m.render();
    expect(value(text, 'imd_m2e_published_total{module="iso",kind="isolation_measurement"}')).toBe(14);
    m.sample([status({ moduleId: 'other', lastMeasurementAt: undefined })], 0);
    text = await m.render();
    expect(value(text, 'imd_active_errors{module="iso",type="DeviceFault"}')).toBeUndefined();
    expect(value(text, 'imd_last_measurement_age_seconds{module="other"}')).toBeUndefined();
    expect(value(text, 'imd_mqtt_connected{module="other"}')).toBe(1);
  });

  test('the device request histogram is registered; the registry is private', async () => {
    const m = new OpsMetrics();
    m.deviceRequestSeconds.observe({ module: 'iso', request: 'read' }, 0.02);
    const text = await m.render();
    expect(text).toContain('# TYPE imd_device_request_seconds histogram');
    expect(value(text, 'imd_device_request_seconds_bucket{le="0.025",module="iso",request="read"}')).toBe(1);
    expect(await globalRegistry.metrics()).not.toContain('imd_');
    expect(m.contentType).toMatch(/^text\/plain; version=0.0.4/);
  });

  test('heartbeat advance: sequence, wrap-around, restart', () => {
    expect(heartbeatAdvance(undefined, undefined)).toBe(0);
    expect(heartbeatAdvance(undefined, 0n)).toBe(1);
    expect(heartbeatAdvance(3n, 3n)).toBe(0);
    expect(heartbeatAdvance(3n, 6n)).toBe(3);
    expect(heartbeatAdvance((1n << 64n) - 2n, 1n)).toBe(3);
    expect(heartbeatAdvance(500_000n, 0n)).toBe(1);
  });
});
