/** One answer of the Acme ISO-1 to `MEAS?`: `R=1234567;U=400.0;OK` or `R=---;U=400.0;ERR=E12`. */
export interface AcmeReading {
  /** Insulation resistance in Ohm, or undefined when the device has no valid value (`---`). */
  readonly resistanceOhm: number | undefined;
  readonly voltageV: number | undefined;
  /** The device's error code (`ERR=E12`), or undefined when it says `OK`. */
  readonly error: string | undefined;
}

/** Parse a `MEAS?` answer; throws on anything malformed. */
export function parseReading(line: string): AcmeReading {
  const fields = new Map<string, string>();
  let status: string | undefined;
  for (const part of line.trim().split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) status = part;
    else fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const num = (k: string): number | undefined => {
    const v = fields.get(k);
    if (v === undefined || v === '---') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`malformed ${k} in "${line}"`);
    return n;
  };
  if (!fields.has('R')) throw new Error(`no R= in "${line}"`);
  const error = fields.get('ERR');
  if (error === undefined && status !== 'OK') throw new Error(`neither OK nor ERR in "${line}"`);
  return { resistanceOhm: num('R'), voltageV: num('U'), error };
}

/** Format a reading (the simulator's side). */
export function formatReading(r: AcmeReading): string {
  const v = (n: number | undefined, digits: number): string => (n === undefined ? '---' : n.toFixed(digits));
  return `R=${v(r.resistanceOhm, 0)};U=${v(r.voltageV, 1)};${r.error ? `ERR=${r.error}` : 'OK'}`;
}
