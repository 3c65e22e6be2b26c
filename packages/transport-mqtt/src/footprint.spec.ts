// Footprint guards (docs/performance.md): what the transport must not cost a long-running host.
// Own test file, so that this module registry holds only clients made by MqttJsConnection.
import { silentLogger } from '@imd-host/sdk';
import { startBroker } from '../../../test/support/broker';
import { waitFor } from '../../../test/support/everest';
import { MqttJsConnection } from './connection';

interface DebugModule {
  enable(namespaces: string): void;
  disable(): string;
  log: (...args: unknown[]) => void;
}
// The `debug` instance mqtt.js logs through.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createDebug = require(require.resolve('debug', { paths: [require.resolve('mqtt')] })) as DebugModule;

test('publishing never builds mqtt-packet number cache (65,536 Buffers, ~6.5 MB) and mqtt.js debug stays off without DEBUG', async () => {
  const debugLines: string[] = [];
  createDebug.enable('mqttjs*'); // as if a library had switched it on; it also sets process.env.DEBUG
  delete process.env.DEBUG; // which the user did not
  createDebug.log = (...args: unknown[]) => debugLines.push(args.map(String).join(' '));
  const broker = await startBroker();
  const a = new MqttJsConnection({ url: broker.url, clientId: 'footprint-a', keepaliveS: 5, log: silentLogger });
  const b = new MqttJsConnection({ url: broker.url, clientId: 'footprint-b', keepaliveS: 5, log: silentLogger });
  try {
    const got: string[] = [];
    b.subscribe(['fp/q1', 'fp/q0'], (t, p) => got.push(`${t}=${p.toString()}`));
    a.open();
    b.open();
    await waitFor(() => a.isConnected && b.isConnected, 3000, 'connected');
    await waitFor(
      () => {
        a.publish('fp/q1', 'one', { qos: 1, whenOffline: 'queue' });
        a.publish('fp/q0', 'zero', { qos: 0, whenOffline: 'drop' });
        return got.includes('fp/q1=one') && got.includes('fp/q0=zero');
      },
      3000,
      'both delivered',
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const numbers = require('mqtt-packet/numbers') as { cache: Record<number, Buffer> };
    expect(Object.keys(numbers.cache)).toHaveLength(0);
    expect(debugLines.filter((l) => l.includes('mqttjs:client'))).toEqual([]);
  } finally {
    createDebug.disable();
    await a.end();
    await b.end();
    await broker.stop();
  }
});
