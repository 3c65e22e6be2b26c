import { SDK_VERSION, definePlugin, type DeviceSimulatorCommand } from '@imd-host/sdk';
import { AcmeDriver, type AcmeOptions } from './driver';
import { AcmeSimulator } from './simulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

const simulator: DeviceSimulatorCommand = {
  name: 'acme-iso1',
  description: 'Acme ISO-1 simulator on TCP (example plugin)',
  usage: '  --port N   TCP port on 127.0.0.1 (default 7070)',
  async run(argv, signal, log) {
    const i = argv.indexOf('--port');
    const port = i >= 0 ? Number(argv[i + 1]) : 7070;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('--port takes a TCP port number');
    const sim = new AcmeSimulator();
    await sim.start(port);
    log.info({ port }, 'Acme ISO-1 simulator listening');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await sim.stop();
  },
};

/** The plugin: what imd-host loads for `plugin: imd-host-plugin-example`. */
export const plugin = definePlugin<AcmeOptions>({
  name: 'imd-host-plugin-example',
  version,
  sdkVersion: SDK_VERSION,
  description: 'Acme ISO-1 insulation monitor over TCP (example plugin)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['host'],
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 7070 },
      pollIntervalMs: { type: 'integer', minimum: 50, default: 1000 },
      timeoutMs: { type: 'integer', minimum: 10, default: 300 },
      commFaultAfterFailures: { type: 'integer', minimum: 1, default: 3 },
      selfTestTimeoutMs: { type: 'integer', minimum: 100, default: 10000 },
    },
  },
  optionsExamples: [
    {
      host: '192.0.2.30',
      port: 7070,
      pollIntervalMs: 1000,
      timeoutMs: 300,
      commFaultAfterFailures: 3,
      selfTestTimeoutMs: 10000,
    },
  ],
  createDriver: (options, ctx) => new AcmeDriver(options, ctx),
  simulators: [simulator],
});

export default plugin;
export { AcmeSimulator } from './simulator';
export { parseReading, formatReading } from './protocol';
export type { AcmeOptions } from './driver';
