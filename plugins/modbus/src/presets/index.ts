import type { RegisterMap } from '../register-map';
import bender from './bender-isocha425hv.json';
import dold from './dold-rn5893.json';

/** Shipped device presets: register maps as data, validated by the same schema as a user's map. */
export const PRESETS: Readonly<Record<string, RegisterMap>> = {
  'bender-isocha425hv': bender as RegisterMap,
  'dold-rn5893': dold as RegisterMap,
};

/** Default serial settings and unit id of each preset's device, for the simulator and docs. */
export const PRESET_DEFAULTS: Readonly<
  Record<string, { unitId: number; baudRate: number; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2 }>
> = {
  'bender-isocha425hv': { unitId: 3, baudRate: 19200, parity: 'even', stopBits: 1 },
  'dold-rn5893': { unitId: 1, baudRate: 115200, parity: 'none', stopBits: 1 },
};
