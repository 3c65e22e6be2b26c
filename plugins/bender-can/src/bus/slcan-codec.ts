import { assertValidFrame, type CanFrame } from './types';

/** CAN bitrates an slcan adapter supports, mapped to their `Sn` setup command. */
export const SLCAN_BITRATES: Readonly<Record<number, string>> = {
  10_000: 'S0',
  20_000: 'S1',
  50_000: 'S2',
  100_000: 'S3',
  125_000: 'S4',
  250_000: 'S5',
  500_000: 'S6',
  800_000: 'S7',
  1_000_000: 'S8',
};

/** The `Sn` command for a bitrate, or `undefined` when slcan has none for it. */
export function slcanBitrateCommand(bitrate: number): string | undefined {
  return SLCAN_BITRATES[bitrate];
}

/** The bitrate of an `Sn` command (`S0`..`S8`), or `undefined`. */
export function slcanBitrateOf(command: string): number | undefined {
  for (const [rate, cmd] of Object.entries(SLCAN_BITRATES)) if (cmd === command) return Number(rate);
  return undefined;
}

const HEX = /^[0-9A-Fa-f]*$/;

/** Encodes a frame as an slcan transmit command, including the trailing `\r`. */
export function encodeSlcanFrame(frame: CanFrame): string {
  assertValidFrame(frame);
  const idLen = frame.extended ? 8 : 3;
  const id = frame.id.toString(16).toUpperCase().padStart(idLen, '0');
  const dlc = frame.data.length.toString(16);
  if (frame.rtr) return `${frame.extended ? 'R' : 'r'}${id}${dlc}\r`;
  const data = Buffer.from(frame.data).toString('hex').toUpperCase();
  return `${frame.extended ? 'T' : 't'}${id}${dlc}${data}\r`;
}

/**
 * Decodes one slcan frame line (without `\r`): `tIIILDD..`, `TIIIIIIIILDD..`, `rIIIL`, `RIIIIIIIIL`,
 * optionally followed by a 4-digit hex timestamp. Returns `undefined` for anything else.
 */
export function decodeSlcanFrame(line: string): CanFrame | undefined {
  const kind = line[0];
  if (kind !== 't' && kind !== 'T' && kind !== 'r' && kind !== 'R') return undefined;
  const extended = kind === 'T' || kind === 'R';
  const rtr = kind === 'r' || kind === 'R';
  const idLen = extended ? 8 : 3;
  const body = line.slice(1);
  if (!HEX.test(body) || body.length < idLen + 1) return undefined;
  const id = parseInt(body.slice(0, idLen), 16);
  if (id > (extended ? 0x1fffffff : 0x7ff)) return undefined;
  const dlc = parseInt(body[idLen] ?? '', 16);
  if (!(dlc >= 0 && dlc <= 8)) return undefined;
  const dataHexLen = rtr ? 0 : dlc * 2;
  const rest = body.length - idLen - 1 - dataHexLen;
  if (rest !== 0 && rest !== 4) return undefined; // exact, or with a 16-bit timestamp
  if (rtr) return { id, extended, rtr: true, data: new Uint8Array(dlc) };
  const data = Uint8Array.from(Buffer.from(body.slice(idLen + 1, idLen + 1 + dataHexLen), 'hex'));
  return { id, extended, data };
}

/** One unit of what an slcan peer sent: a `\r`-terminated line, or a BEL (error) byte. */
export type SlcanToken = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'bell' };

/** Longest line kept: `T` + 8 + 1 + 16 + 4 timestamp = 30; anything longer is garbage. */
const MAX_LINE = 64;

/**
 * Splits an slcan byte stream into tokens. Tolerates chunks split anywhere, `\n` after `\r`,
 * NUL and other control bytes, and overlong garbage (dropped up to the next `\r`).
 */
export class SlcanTokenizer {
  private buffer = '';
  private overflow = false;

  push(chunk: Uint8Array | string): SlcanToken[] {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    const out: SlcanToken[] = [];
    for (const ch of text) {
      if (ch === '\r') {
        if (!this.overflow) out.push({ kind: 'line', text: this.buffer });
        this.buffer = '';
        this.overflow = false;
      } else if (ch === '\x07') {
        this.buffer = '';
        this.overflow = false;
        out.push({ kind: 'bell' });
      } else if (ch === '\n') {
        // CRLF or stray LF: ignore, lines end at CR.
      } else if (ch < ' ' || ch > '~') {
        this.overflow = true; // binary garbage poisons the current line
      } else if (this.buffer.length >= MAX_LINE) {
        this.overflow = true;
      } else {
        this.buffer += ch;
      }
    }
    return out;
  }

  /** Forget a partial line. */
  reset(): void {
    this.buffer = '';
    this.overflow = false;
  }
}
