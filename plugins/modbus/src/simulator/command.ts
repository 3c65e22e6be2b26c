import type { DeviceSimulatorCommand, Logger } from '@imd-host/sdk';
import { PRESETS, PRESET_DEFAULTS } from '../presets';
import { ModbusDeviceSimulator, type SimulatorEndpoint } from './server';

interface SimArgs {
  preset: string;
  units: number[];
  endpoint: SimulatorEndpoint;
  resistanceOhm?: number;
  voltageV?: number;
}

const usage = `  --preset NAME        ${Object.keys(PRESETS).join(' | ')} (required)
  --tcp PORT           serve Modbus TCP on 127.0.0.1:PORT (--host ADDR to bind elsewhere)
  --rtu PATH           serve Modbus RTU on a serial port or pty (e.g. one end of a socat pair)
  --baud N             RTU baud rate (default: the preset's device default)
  --parity P           none | even | odd (default: the preset's device default)
  --unit ID[,ID...]    unit id(s) to answer (default: the preset's device default)
  --resistance OHM     initial insulation resistance (default 1500000)
  --voltage V          initial DC voltage (default 400)`;

/** Parse `imd-host simulate-device modbus` arguments; throws with a clear message. */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  const opts = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument "${k}"`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${k} needs a value`);
    opts.set(k.slice(2), v);
    i += 1;
  }
  const known = new Set(['preset', 'tcp', 'host', 'rtu', 'baud', 'parity', 'unit', 'resistance', 'voltage']);
  for (const k of opts.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}`);
  const preset = opts.get('preset');
  if (!preset || !PRESETS[preset]) throw new Error(`--preset must be one of: ${Object.keys(PRESETS).join(', ')}`);
  const d = PRESET_DEFAULTS[preset];
  const num = (k: string, min: number, max: number): number | undefined => {
    const raw = opts.get(k);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${k} must be a number in [${min}, ${max}], got "${raw}"`);
    return n;
  };
  const units = (opts.get('unit') ?? String(d.unitId)).split(',').map((u) => {
    const n = Number(u);
    if (!Number.isInteger(n) || n < 0 || n > 247) throw new Error(`--unit takes ids 0..247, got "${u}"`);
    return n;
  });
  let endpoint: SimulatorEndpoint;
  if (opts.has('tcp') === opts.has('rtu')) throw new Error('give exactly one of --tcp PORT or --rtu PATH');
  if (opts.has('tcp')) endpoint = { tcp: { port: num('tcp', 1, 65535)!, host: opts.get('host') ?? '127.0.0.1' } };
  else {
    const parity = opts.get('parity') ?? d.parity;
    if (!['none', 'even', 'odd'].includes(parity)) throw new Error('--parity must be none, even or odd');
    endpoint = {
      rtu: {
        path: opts.get('rtu')!,
        baudRate: num('baud', 300, 921600) ?? d.baudRate,
        parity: parity as 'none' | 'even' | 'odd',
        stopBits: d.stopBits,
      },
    };
  }
  return { preset, units, endpoint, resistanceOhm: num('resistance', 0, 1e12), voltageV: num('voltage', -2000, 2000) };
}

/** `imd-host simulate-device modbus ...` */
export const modbusSimulatorCommand: DeviceSimulatorCommand = {
  name: 'modbus',
  description: 'Modbus IMD simulator (presets bender-isocha425hv, dold-rn5893) over TCP or RTU',
  usage,
  async run(argv: readonly string[], signal: AbortSignal, log: Logger): Promise<void> {
    const a = parseSimArgs(argv);
    const sim = new ModbusDeviceSimulator(Object.fromEntries(a.units.map((u) => [u, a.preset])));
    for (const u of a.units) {
      const s = sim.device(u).state;
      if (a.resistanceOhm !== undefined) s.resistanceOhm = a.resistanceOhm;
      if (a.voltageV !== undefined) s.voltageV = a.voltageV;
    }
    await sim.start(a.endpoint);
    log.info(
      { preset: a.preset, units: a.units, endpoint: a.endpoint },
      'modbus device simulator running (Ctrl-C stops)',
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await sim.close();
  },
};
