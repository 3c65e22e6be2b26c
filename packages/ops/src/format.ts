/** `2.00 MOhm`, `90.0 kOhm`, `512 Ohm` (ASCII only, terminals without UTF-8 show it too). */
export function formatOhm(ohm: number): string {
  if (!Number.isFinite(ohm)) return String(ohm);
  const a = Math.abs(ohm);
  if (a >= 1e6) return `${(ohm / 1e6).toFixed(2)} MOhm`;
  if (a >= 1e3) return `${(ohm / 1e3).toFixed(1)} kOhm`;
  return `${ohm.toFixed(0)} Ohm`;
}

/** An age such as `0.4 s`, `12 s`, `3 min`, `2.0 h`. */
export function formatAge(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Local wall-clock time `HH:MM:SS.mmm`. */
export function clockTime(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
