/**
 * Bender iso165C / iso165C-1 CAN protocol: ids, commands, frame layouts.
 * Facts from /work/shared/reference/bender-iso165c-can.md (foxBMS-2 driver + Bender DBC).
 * All words are unsigned 16-bit little-endian.
 */

/** Default CAN ids (standard 11-bit). */
export const DEFAULT_IDS = { request: 0x22, response: 0x23, info: 0x37 } as const;

/** Commands (byte 0 of request and response). */
export const Cmd = {
  Ping: 0x00,
  SelfTest: 0x21,
  SetErrorThreshold: 0x28,
  SetWarningThreshold: 0x29,
  SetMeanFactor: 0x2b,
  GetErrorThreshold: 0x32,
  GetVersion: 0x33,
  GetResistance: 0x35,
  GetHv1: 0x36,
  GetImcStatus: 0x37,
  GetWarningThreshold: 0x39,
  GetHv2: 0x3a,
  GetMeanFactor: 0x3c,
  GetTestCount: 0x5a,
  SetHvRelay: 0xd2,
  SetLock: 0xca,
  SetMeasurement: 0xcb,
  GetVifcStatus: 0xdc,
  GetHvRelay: 0xdd,
  GetLock: 0xe0,
  ErrorFrame: 0xff,
} as const;

/** Self test scenarios (DW1 of 0x21). */
export const SELF_TEST_OVERALL = 1;
/** Lock modes (DW1 of 0xCA / 0xE0) and passwords (DW2 of 0xCA). */
export const LOCK_UNLOCKED = 0;
export const LOCK_LOCKED = 1;
export const LOCK_BLOCKED = 2;
export const UNLOCK_PASSWORD = 0x0000;
export const LOCK_PASSWORD = 0xffff;
/** Coupling relays of the iso165C-1 (DW1 / DW2 of 0xD2 and 0xDD). */
export const RELAY_NEGATIVE = 0;
export const RELAY_POSITIVE = 1;
export const RELAY_OPEN = 0;
export const RELAY_CLOSED = 1;

/** Ranges the device accepts, in kΩ and factor units. */
export const ERROR_THRESHOLD_KOHM = { min: 30, max: 1000 } as const;
export const WARNING_THRESHOLD_KOHM = { min: 40, max: 2000 } as const;
export const MEAN_FACTOR = { min: 1, max: 20 } as const;
/** Upper end of the measuring range (50 MΩ); larger readings mean "above range". */
export const MAX_RESISTANCE_KOHM = 50_000;

/** D_IMC_STATUS bits (IMD_Info bytes 2-3; DW1 of 0x37). */
export const ImcBit = {
  InsulationFault: 1 << 0,
  ChassisFault: 1 << 1,
  SystemFailure: 1 << 2,
  CalibrationRunning: 1 << 3,
  SelfTestRunning: 1 << 4,
  InsulationWarning: 1 << 5,
} as const;

/** D_VIFC_STATUS bits (IMD_Info bytes 4-5; DW1 of 0xDC). Bit 0: 0 = measuring, 1 = deactivated. */
export const VifcBit = {
  MeasurementDeactivated: 1 << 0,
  ImcConnectivityError: 1 << 1,
  ImcAliveError: 1 << 2,
  CommandError: 1 << 4,
  ResistanceOutdated: 1 << 8,
  OverallSelfTestNotRun: 1 << 12,
  ParameterSelfTestNotRun: 1 << 13,
} as const;

/** D_IMC_STATUS_EXT bits (DW2 of 0x37): 1 = that self-test check failed. */
export const EXT_BIT_NAMES: readonly string[] = [
  'calibration parameter',
  'hardware',
  'EEPROM',
  'flash',
  'RAM',
  'stack overflow',
  'reserved 6',
  'parameter value',
  'test-pulse voltage reference',
  '+12 V level',
  '-12 V level',
  'fuse bits',
  'HV1 voltage',
  'HV2 voltage',
  'manufacturer/ID string',
  'reserved 15',
];
/** EXT bits that mean the hardware is broken (→ DeviceFault); the others are VendorErrors. */
export const EXT_HARDWARE_MASK = 0b0000_1110_0011_1110; // bits 1-5, 9-11

/** A request or response frame's content. */
export interface CommandFrame {
  readonly cmd: number;
  readonly dw1: number;
  readonly dw2: number;
}

/** IMD_Info content. */
export interface InfoFrame {
  readonly resistanceKOhm: number;
  readonly imcStatus: number;
  readonly vifcStatus: number;
}

function word(data: Uint8Array, offset: number): number {
  return (data[offset] ?? 0) | ((data[offset + 1] ?? 0) << 8);
}

function checkWord(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${name} must be a 16-bit unsigned integer`);
}

/** Encodes a request (or a simulated response): 8 bytes, CMD, DW1 LE, DW2 LE, zero padding. */
export function encodeCommand(cmd: number, dw1 = 0, dw2 = 0): Uint8Array {
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xff) throw new RangeError('cmd must be a byte');
  checkWord('dw1', dw1);
  checkWord('dw2', dw2);
  return Uint8Array.from([cmd, dw1 & 0xff, dw1 >> 8, dw2 & 0xff, dw2 >> 8, 0, 0, 0]);
}

/** Decodes a request/response; `undefined` when shorter than 3 bytes. Missing DW2 bytes read as 0. */
export function decodeCommand(data: Uint8Array): CommandFrame | undefined {
  if (data.length < 3) return undefined;
  return { cmd: data[0] ?? 0, dw1: word(data, 1), dw2: data.length >= 5 ? word(data, 3) : 0 };
}

/** Encodes IMD_Info (DLC 6). */
export function encodeInfo(info: InfoFrame): Uint8Array {
  checkWord('resistanceKOhm', info.resistanceKOhm);
  checkWord('imcStatus', info.imcStatus);
  checkWord('vifcStatus', info.vifcStatus);
  const b = new Uint8Array(6);
  b[0] = info.resistanceKOhm & 0xff;
  b[1] = info.resistanceKOhm >> 8;
  b[2] = info.imcStatus & 0xff;
  b[3] = info.imcStatus >> 8;
  b[4] = info.vifcStatus & 0xff;
  b[5] = info.vifcStatus >> 8;
  return b;
}

/** Decodes IMD_Info; `undefined` when shorter than its 6 bytes. */
export function decodeInfo(data: Uint8Array): InfoFrame | undefined {
  if (data.length < 6) return undefined;
  return { resistanceKOhm: word(data, 0), imcStatus: word(data, 2), vifcStatus: word(data, 4) };
}

/** The failed command of an error frame (byte 3). */
export function errorFrameCommand(data: Uint8Array): number {
  return data[3] ?? 0;
}

/** Encodes an error frame (0xFF): DW1 error code, byte 3 the failed CMD. */
export function encodeErrorFrame(code: number, failedCmd: number): Uint8Array {
  return encodeCommand(Cmd.ErrorFrame, code, failedCmd & 0xff);
}

/** Hex name of a command, e.g. `0x35 GET_R_ISO`. */
export function commandName(cmd: number): string {
  const names: Record<number, string> = {
    [Cmd.Ping]: 'PING',
    [Cmd.SelfTest]: 'SELFTEST',
    [Cmd.SetErrorThreshold]: 'SET_R_ISO_ERR_THR',
    [Cmd.SetWarningThreshold]: 'SET_R_ISO_WRN_THR',
    [Cmd.SetMeanFactor]: 'SET_MEAN_FACTOR',
    [Cmd.GetResistance]: 'GET_R_ISO',
    [Cmd.GetHv1]: 'GET_HV_1',
    [Cmd.GetImcStatus]: 'GET_STATUS',
    [Cmd.GetHv2]: 'GET_HV_2',
    [Cmd.SetHvRelay]: 'SET_HV_RELAIS',
    [Cmd.GetHvRelay]: 'GET_HV_RELAIS',
    [Cmd.SetLock]: 'CTL_LOCK',
    [Cmd.SetMeasurement]: 'CTL_MEASUREMENT',
    [Cmd.GetLock]: 'GET_LOCK',
  };
  return `0x${cmd.toString(16).toUpperCase().padStart(2, '0')}${names[cmd] ? ` ${names[cmd]}` : ''}`;
}

/** Error codes of the 0xFF frame (Bender DBC). */
export const ERROR_CODE_NAMES: Readonly<Record<number, string>> = {
  32: 'IMC 10-ms timeout',
  33: 'IMC checksum error',
  34: 'IMC invalid parameter',
  35: 'IMC unknown command',
  36: 'IMC EEPROM write error',
  37: 'IMC repeated or missing frame',
  1000: 'command locked (device locked)',
  1001: 'queue full, command rejected',
  1032: 'VIFC 10-ms timeout',
  1033: 'VIFC checksum error',
  1034: 'VIFC invalid parameter',
  1035: 'VIFC unknown command',
  1037: 'VIFC repeated or missing frame',
  1038: 'no response from the internal IMC',
};
/** Error code meaning the measuring part (IMC) inside the device is dead. */
export const ERROR_IMC_NO_RESPONSE = 1038;
export const ERROR_COMMAND_LOCKED = 1000;
export const ERROR_INVALID_PARAMETER = 1034;
export const ERROR_UNKNOWN_COMMAND = 1035;
