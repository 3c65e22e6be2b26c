/**
 * End to end with real parts: `imd-host simulate-device modbus` serving Modbus TCP, the host
 * running the modbus plugin, mqtt.js playing EVerest over a private broker.
 */
import { freePort, startBroker, type TestBroker } from './support/broker';
import { FakeEverest, sleep, waitFor } from './support/everest';
import { startHost, writeConfig, type HostProcess } from './support/host';

let broker: TestBroker;
let everest: FakeEverest;
const procs: HostProcess[] = [];

beforeAll(async () => {
  broker = await startBroker();
  everest = new FakeEverest(broker.url);
  await everest.connect();
});
afterAll(async () => {
  for (const p of procs) {
    p.kill('SIGKILL');
    await p.exited;
  }
  await everest.close();
  await broker.stop();
});

function simulator(port: number): HostProcess {
  const p = startHost([
    'simulate-device',
    'modbus',
    '--preset',
    'bender-isocha425hv',
    '--tcp',
    String(port),
    '--resistance',
    '4200000',
    '--voltage',
    '800',
  ]);
  procs.push(p);
  return p;
}

test('measurements from a simulated isoCHA425HV reach EVerest; simulator killed → CommunicationFault, restarted → cleared', async () => {
  const port = await freePort();
  let sim = simulator(port);
  await waitFor(() => sim.output().includes('modbus device simulator running'), 10000, 'simulator up');
  const host = startHost([
    'run',
    '--config',
    writeConfig(`mqtt: { url: ${broker.url} }
modules:
  - moduleId: modbus_imd
    plugin: modbus
    options:
      connection: { type: tcp, host: 127.0.0.1, port: ${port} }
      unitId: 3
      preset: bender-isocha425hv
      pollIntervalMs: 200
      timeoutMs: 300
      retries: 0
      commFaultAfterFailures: 3
      idleCheckIntervalMs: 500
`),
  ]);
  procs.push(host);
  await waitFor(() => everest.of('modbus_imd', 'communication_check').length > 0, 8000, 'communication_check');
  everest.send('modbus_imd', 'start', '{}');
  await waitFor(() => everest.of('modbus_imd', 'isolation_measurement').length >= 3, 8000, 'measurements');
  expect(JSON.parse(everest.of('modbus_imd', 'isolation_measurement').at(-1)!.payload)).toEqual({
    resistance_F_Ohm: 4200000,
    voltage_V: 800,
    voltage_to_earth_l1e_V: 200,
    voltage_to_earth_l2e_V: -200,
  });
  everest.send('modbus_imd', 'start_self_test', '500');
  await waitFor(() => everest.of('modbus_imd', 'self_test_result').length === 1, 10000, 'self test result');
  expect(everest.of('modbus_imd', 'self_test_result')[0].payload).toBe('true');

  const killed = Date.now();
  sim.kill('SIGKILL');
  await sim.exited;
  await waitFor(
    () => everest.of('modbus_imd', 'raise_error', killed).some((e) => JSON.parse(e.payload).sub_type === 'Modbus'),
    8000,
    'CommunicationFault from the plugin',
  );
  const fault = JSON.parse(
    everest.of('modbus_imd', 'raise_error', killed).find((e) => e.payload.includes('Modbus'))!.payload,
  );
  expect(fault.type).toBe('CommunicationFault');
  expect(fault.message).toContain(`127.0.0.1:${port}`);
  await sleep(500);
  const silentSince = Date.now();
  await sleep(600);
  expect(everest.of('modbus_imd', 'isolation_measurement', silentSince)).toEqual([]);

  sim = simulator(port);
  await waitFor(
    () => everest.of('modbus_imd', 'clear_error', killed).some((e) => JSON.parse(e.payload).sub_type === 'Modbus'),
    20000,
    'CommunicationFault cleared',
  );
  const back = Date.now();
  await waitFor(() => everest.of('modbus_imd', 'isolation_measurement', back).length >= 2, 8000, 'measurements resume');
  expect(host.child.exitCode).toBeNull();
  expect(everest.invalid).toEqual([]);
}, 90_000);
