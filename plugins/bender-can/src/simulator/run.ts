import type { Logger } from '@imd-host/sdk';
import { openCanBus } from '../bus';
import { Iso165cSimulator, type Iso165cSimulatorOptions } from './iso165c-simulator';
import { SlcanAdapterSimulator } from './slcan-adapter';

/** A running iso165C simulator behind a simulated slcan adapter on a serial port (pty). */
export interface SlcanSimulation {
  readonly device: Iso165cSimulator;
  readonly adapter: SlcanAdapterSimulator;
  close(): Promise<void>;
}

let instance = 0;

/** Starts an iso165C simulator reachable through an slcan adapter simulator on `path`. */
export async function startSlcanSimulation(
  path: string,
  options: Iso165cSimulatorOptions = {},
): Promise<SlcanSimulation> {
  instance += 1;
  const name = `slcan-sim-${process.pid}-${instance}`;
  const adapterSide = await openCanBus({ type: 'memory', name });
  const deviceSide = await openCanBus({ type: 'memory', name });
  let adapter: SlcanAdapterSimulator;
  try {
    adapter = await SlcanAdapterSimulator.open(path, adapterSide);
  } catch (e) {
    await adapterSide.close();
    await deviceSide.close();
    throw e;
  }
  const device = new Iso165cSimulator(deviceSide, options);
  device.start();
  return {
    device,
    adapter,
    close: async () => {
      device.stop();
      await adapter.close();
      await deviceSide.close();
      await adapterSide.close();
    },
  };
}

export interface SimulatorArgs {
  readonly slcan: string;
  readonly options: Iso165cSimulatorOptions;
}

export const SIMULATOR_USAGE = [
  '--slcan <path>            serial device (e.g. a socat pty) on which to play the slcan adapter (required)',
  '--resistance-kohm <n>     insulation resistance to report, kΩ (default 2000)',
  '--voltage <n>             HV1 voltage to report, V (default 400)',
  '--info-interval-ms <n>    IMD_Info period (default 1000)',
  '--self-test-ms <n>        self-test duration (default 2000)',
].join('\n');

function intArg(flag: string, value: string | undefined, max: number): number {
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${flag} must be an integer 0..${max}, got "${value}"`);
  return n;
}

/** Parses the simulator's command line; throws an Error naming the problem. */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorArgs {
  let slcan: string | undefined;
  const options: { -readonly [K in keyof Iso165cSimulatorOptions]: Iso165cSimulatorOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--slcan': {
        const v = value();
        if (!v || v.startsWith('--')) throw new Error('--slcan needs a serial device path, e.g. --slcan /dev/pts/5');
        slcan = v;
        break;
      }
      case '--resistance-kohm':
        options.resistanceKOhm = intArg(flag, value(), 0xffff);
        break;
      case '--voltage':
        options.hv1V = intArg(flag, value(), 0xffff);
        break;
      case '--info-interval-ms':
        options.infoIntervalMs = Math.max(1, intArg(flag, value(), 60_000));
        break;
      case '--self-test-ms':
        options.selfTestDurationMs = intArg(flag, value(), 600_000);
        break;
      default:
        throw new Error(`unknown argument "${arg}"; usage:\n${SIMULATOR_USAGE}`);
    }
  }
  if (!slcan) throw new Error(`missing --slcan <path>; usage:\n${SIMULATOR_USAGE}`);
  return { slcan, options };
}

/** Runs the simulator until `signal` aborts. */
export async function runSimulatorCommand(argv: readonly string[], signal: AbortSignal, log: Logger): Promise<void> {
  const args = parseSimulatorArgs(argv);
  if (signal.aborted) return;
  const sim = await startSlcanSimulation(args.slcan, args.options);
  log.info({ path: args.slcan }, 'bender-iso165c simulator running (slcan adapter + iso165C)');
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await sim.close();
    log.info('bender-iso165c simulator stopped');
  }
}
