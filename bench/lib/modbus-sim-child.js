'use strict';
// The modbus plugin's exported device simulator in a process of its own (a device has its own
// CPU): `node modbus-sim-child.js tcp PORT UNIT PRESET` or `... rtu PATH UNIT PRESET BAUD`.
// Prints "ready" once it serves. IMD_BENCH_SIM_RTU_INTERVAL_MS, when set, overrides the
// inter-frame silence modbus-serial's ServerSerial waits for before it parses a request
// (its default is 30 ms): used only to show the effect of the fix proposed in the report.
const [mode, where, unit, preset, baud] = process.argv.slice(2);
if (process.env.IMD_BENCH_SIM_RTU_INTERVAL_MS) {
  const ms = require('modbus-serial');
  const Orig = ms.ServerSerial;
  const interval = Number(process.env.IMD_BENCH_SIM_RTU_INTERVAL_MS);
  class Patched extends Orig {
    constructor(vector, options) {
      super(vector, { ...options, interval });
    }
  }
  ms.ServerSerial = Patched;
}
const { ModbusDeviceSimulator } = require('@imd-host/plugin-modbus');

const sim = new ModbusDeviceSimulator({ [Number(unit)]: preset });
const endpoint =
  mode === 'tcp'
    ? { tcp: { host: '127.0.0.1', port: Number(where) } }
    : { rtu: { path: where, baudRate: Number(baud), parity: 'even', stopBits: 1 } };
sim.start(endpoint).then(
  () => process.stdout.write('ready\n'),
  (err) => {
    process.stderr.write(`simulator failed to start: ${err && err.message}\n`);
    process.exit(1);
  },
);
const stop = () => {
  sim.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
