import { decodeSlcanFrame, encodeSlcanFrame, slcanBitrateCommand, slcanBitrateOf, SlcanTokenizer } from './slcan-codec';
import { CanBusError } from './types';

describe('slcan frame codec', () => {
  it('encodes standard frames as tIIILDD..', () => {
    expect(encodeSlcanFrame({ id: 0x22, extended: false, data: Uint8Array.from([0xca, 0, 0, 0, 0, 0, 0, 0]) })).toBe(
      't0228CA00000000000000\r',
    );
    expect(encodeSlcanFrame({ id: 0x7ff, extended: false, data: new Uint8Array(0) })).toBe('t7FF0\r');
  });

  it('encodes extended frames as TIIIIIIIILDD..', () => {
    expect(encodeSlcanFrame({ id: 0x18daf110, extended: true, data: Uint8Array.from([1, 0xab]) })).toBe(
      'T18DAF1102' + '01AB\r',
    );
  });

  it('encodes remote frames', () => {
    expect(encodeSlcanFrame({ id: 0x123, extended: false, rtr: true, data: new Uint8Array(2) })).toBe('r1232\r');
    expect(encodeSlcanFrame({ id: 0x123, extended: true, rtr: true, data: new Uint8Array(0) })).toBe('R000001230\r');
  });

  it('rejects frames it cannot encode', () => {
    expect(() => encodeSlcanFrame({ id: 0x800, extended: false, data: new Uint8Array(0) })).toThrow(CanBusError);
    expect(() => encodeSlcanFrame({ id: 0x20000000, extended: true, data: new Uint8Array(0) })).toThrow(CanBusError);
    expect(() => encodeSlcanFrame({ id: 1, extended: false, data: new Uint8Array(9) })).toThrow(/too long/);
  });

  it('decodes standard and extended frames, with or without timestamp', () => {
    expect(decodeSlcanFrame('t0376D0070000E0F0')).toEqual({
      id: 0x37,
      extended: false,
      data: Uint8Array.from([0xd0, 0x07, 0x00, 0x00, 0xe0, 0xf0]),
    });
    expect(decodeSlcanFrame('t0231ffABCD')).toEqual({ id: 0x23, extended: false, data: Uint8Array.from([0xff]) });
    expect(decodeSlcanFrame('T1FFFFFFF80102030405060708')).toEqual({
      id: 0x1fffffff,
      extended: true,
      data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    });
    expect(decodeSlcanFrame('r1232')).toEqual({ id: 0x123, extended: false, rtr: true, data: new Uint8Array(2) });
  });

  it('round-trips every DLC for both id kinds', () => {
    for (const extended of [false, true]) {
      for (let dlc = 0; dlc <= 8; dlc++) {
        const frame = {
          id: extended ? 0x1abcdef : 0x5a5,
          extended,
          data: Uint8Array.from({ length: dlc }, (_, i) => i * 31),
        };
        expect(decodeSlcanFrame(encodeSlcanFrame(frame).slice(0, -1))).toEqual(frame);
      }
    }
  });

  it.each([
    ['empty', ''],
    ['ack', 'z'],
    ['unknown command', 'x1234'],
    ['short id', 't02'],
    ['dlc > 8', 't0239' + '00'.repeat(9)],
    ['missing data', 't02380102'],
    ['extra data', 't023101020'],
    ['non-hex', 't0231GG'],
    ['std id out of range', 't8001FF'],
    ['ext id out of range', 'T200000000'],
    ['sign in body', 't-231FF'],
  ])('returns undefined for %s', (_name, line) => {
    expect(decodeSlcanFrame(line)).toBeUndefined();
  });

  it('maps bitrates to S0..S8 and back', () => {
    expect(slcanBitrateCommand(500_000)).toBe('S6');
    expect(slcanBitrateCommand(10_000)).toBe('S0');
    expect(slcanBitrateCommand(1_000_000)).toBe('S8');
    expect(slcanBitrateCommand(333_333)).toBeUndefined();
    expect(slcanBitrateOf('S4')).toBe(125_000);
    expect(slcanBitrateOf('S9')).toBeUndefined();
  });
});

describe('SlcanTokenizer', () => {
  it('joins lines split across chunks', () => {
    const t = new SlcanTokenizer();
    expect(t.push('t02')).toEqual([]);
    expect(t.push('31F')).toEqual([]);
    expect(t.push(Buffer.from('F\rz\r'))).toEqual([
      { kind: 'line', text: 't0231FF' },
      { kind: 'line', text: 'z' },
    ]);
  });

  it('reports empty lines (acks) and BEL (errors) separately', () => {
    const t = new SlcanTokenizer();
    expect(t.push('\r\x07\r')).toEqual([{ kind: 'line', text: '' }, { kind: 'bell' }, { kind: 'line', text: '' }]);
  });

  it('ignores LF after CR', () => {
    expect(new SlcanTokenizer().push('t0230\r\n')).toEqual([{ kind: 'line', text: 't0230' }]);
  });

  it('drops a line poisoned by binary garbage and recovers at the next CR', () => {
    const t = new SlcanTokenizer();
    expect(t.push(Buffer.from([0x74, 0x00, 0xff, 0x31, 0x0d]))).toEqual([]);
    expect(t.push('t0230\r')).toEqual([{ kind: 'line', text: 't0230' }]);
  });

  it('drops overlong garbage without growing without bound', () => {
    const t = new SlcanTokenizer();
    expect(t.push('A'.repeat(10_000))).toEqual([]);
    expect(t.push('\rt0230\r')).toEqual([{ kind: 'line', text: 't0230' }]);
  });

  it('a BEL in the middle discards the partial line', () => {
    const t = new SlcanTokenizer();
    expect(t.push('t02\x07t0230\r')).toEqual([{ kind: 'bell' }, { kind: 'line', text: 't0230' }]);
  });

  it('reset() forgets a partial line', () => {
    const t = new SlcanTokenizer();
    t.push('t02');
    t.reset();
    expect(t.push('30\r')).toEqual([{ kind: 'line', text: '30' }]);
  });
});
