import { SDK_VERSION, definePlugin } from '@imd-host/sdk';
import Ajv from 'ajv';
import { ModbusDriver } from './driver';
import {
  effectiveMap,
  modbusOptionsExamples,
  modbusOptionsSchema,
  withConnectionDefaults,
  type ModbusOptions,
} from './options';
import { registerMapSchema, type RegisterMap } from './register-map';
import { modbusSimulatorCommand } from './simulator/command';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

const validateMap = new Ajv({ allErrors: true, strict: false }).compile(registerMapSchema);

/** The register map of a module, checked against the register-map schema (preset + overrides, or a full map). */
export function resolveRegisterMap(options: Pick<ModbusOptions, 'preset' | 'registers'>): RegisterMap {
  const map = effectiveMap(options);
  if (!validateMap(map)) {
    const problems = (validateMap.errors ?? []).map(
      (e) => `registers${e.instancePath.replace(/\//g, '.')}: ${e.message}`,
    );
    throw new Error(`invalid register map: ${problems.join('; ')}`);
  }
  return map as RegisterMap;
}

/** The modbus plugin: generic Modbus RTU/TCP IMDs described by register maps (presets or your own). */
export const plugin = definePlugin<ModbusOptions>({
  name: '@imd-host/plugin-modbus',
  version,
  sdkVersion: SDK_VERSION,
  description: 'Generic Modbus RTU/TCP insulation monitor (presets: Bender isoCHA425HV, Dold RN5893)',
  optionsSchema: modbusOptionsSchema,
  optionsExamples: modbusOptionsExamples,
  createDriver: (options, ctx) =>
    new ModbusDriver(
      { ...options, connection: withConnectionDefaults(options.connection) },
      resolveRegisterMap(options),
      ctx,
    ),
  simulators: [modbusSimulatorCommand],
});

export default plugin;
export { ModbusDriver } from './driver';
export { PRESETS } from './presets';
export { registerMapSchema, decodeValue, encodeRaw } from './register-map';
export type { RegisterMap, ValueSpec, StatusRule, SelfTestSpec, RegisterCondition } from './register-map';
export type { ModbusOptions } from './options';
export { ModbusDeviceSimulator } from './simulator/server';
export type { SimulatedState } from './simulator/device';
