import {
  decodeCommand,
  decodeInfo,
  encodeCommand,
  encodeErrorFrame,
  encodeInfo,
  errorFrameCommand,
  commandName,
} from './protocol';
import { extBitNames, invalidReasons, isMeasurementValid } from './status';

describe('iso165C frame layout', () => {
  it('encodes requests as CMD + two little-endian words, zero-padded to 8 bytes', () => {
    expect([...encodeCommand(0xca, 0, 0)]).toEqual([0xca, 0, 0, 0, 0, 0, 0, 0]);
    expect([...encodeCommand(0x28, 500, 0x1234)]).toEqual([0x28, 0xf4, 0x01, 0x34, 0x12, 0, 0, 0]);
    expect(() => encodeCommand(0x28, 0x10000)).toThrow(RangeError);
    expect(() => encodeCommand(0x100)).toThrow(RangeError);
  });

  it('decodes responses of any DLC >= 3', () => {
    expect(decodeCommand(Uint8Array.from([0x35, 0xe8, 0x03, 0x02, 0x07]))).toEqual({
      cmd: 0x35,
      dw1: 1000,
      dw2: 0x0702,
    });
    expect(decodeCommand(Uint8Array.from([0x36, 0x90, 0x01]))).toEqual({ cmd: 0x36, dw1: 400, dw2: 0 });
    expect(decodeCommand(Uint8Array.from([0x36, 0x90]))).toBeUndefined();
  });

  it('encodes and decodes IMD_Info (R kΩ, IMC status, VIFC status, little-endian)', () => {
    const data = encodeInfo({ resistanceKOhm: 0xfffe, imcStatus: 0x0014, vifcStatus: 0x3101 });
    expect([...data]).toEqual([0xfe, 0xff, 0x14, 0x00, 0x01, 0x31]);
    expect(decodeInfo(data)).toEqual({ resistanceKOhm: 0xfffe, imcStatus: 0x14, vifcStatus: 0x3101 });
    expect(decodeInfo(data.slice(0, 5))).toBeUndefined();
  });

  it('error frames carry the code in DW1 and the failed CMD in byte 3', () => {
    const data = encodeErrorFrame(1000, 0xcb);
    expect(decodeCommand(data)?.cmd).toBe(0xff);
    expect(decodeCommand(data)?.dw1).toBe(1000);
    expect(errorFrameCommand(data)).toBe(0xcb);
    expect(commandName(0xcb)).toBe('0xCB CTL_MEASUREMENT');
    expect(commandName(0x99)).toBe('0x99');
  });
});

describe('iso165C status words', () => {
  it('accepts only an active, current, error-free measurement', () => {
    expect(isMeasurementValid(0, 0x3000)).toBe(true); // self-test-not-run flags do not matter
    expect(isMeasurementValid(0x01 | 0x20, 0)).toBe(true); // insulation fault/warning are values, not errors
    expect(isMeasurementValid(0x04, 0)).toBe(false);
    expect(isMeasurementValid(0x10, 0)).toBe(false);
    expect(isMeasurementValid(0, 0x0001)).toBe(false);
    expect(isMeasurementValid(0, 0x0100)).toBe(false);
    expect(isMeasurementValid(0, 0x0002)).toBe(false);
    expect(invalidReasons(0x04, 0x0101)).toEqual(['system failure', 'measurement deactivated', 'value outdated']);
  });

  it('names failed self-test checks', () => {
    expect(extBitNames(0b10_0000_0010)).toEqual(['hardware', '+12 V level']);
    expect(extBitNames(0)).toEqual([]);
  });
});
