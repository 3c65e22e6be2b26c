import { clockTime, formatAge, formatOhm } from './format';
import type { WatchedModule } from './watch-model';

/** ANSI styles, or none (non-TTY output). */
export interface Style {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

const ansi = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const ANSI_STYLE: Style = { bold: ansi(1), red: ansi(31), green: ansi(32), yellow: ansi(33), dim: ansi(2) };
const id = (s: string): string => s;
export const PLAIN_STYLE: Style = { bold: id, red: id, green: id, yellow: id, dim: id };

export interface RenderContext {
  readonly url: string;
  readonly prefix: string;
  readonly now: number;
  readonly style: Style;
  readonly connected: boolean;
}

function activityText(m: WatchedModule, st: Style): string {
  const a = m.activity.toUpperCase();
  if (m.activity === 'measuring') return st.green(a);
  if (m.activity === 'self test running') return st.yellow(a);
  return st.dim(a);
}

/** The lines of one module's block. */
export function renderModule(m: WatchedModule, ctx: RenderContext): string[] {
  const { now, style: st } = ctx;
  const lines: string[] = [];
  const meas = m.lastMeasurement
    ? `R = ${formatOhm(m.lastMeasurement.resistanceOhm)}${
        m.lastMeasurement.voltageV !== undefined ? `  U = ${m.lastMeasurement.voltageV} V` : ''
      }  (${formatAge(now - m.lastMeasurement.at)} ago)`
    : st.dim('no measurement seen');
  lines.push(`${st.bold(m.moduleId)}  ${activityText(m, st)}  ${meas}`);
  if (m.selfTestRunning) {
    lines.push(`  self test running: ${m.selfTestRunning.voltage} V for ${formatAge(now - m.selfTestRunning.since)}`);
  }
  if (m.activeErrors.length === 0) lines.push(`  errors: ${st.green('none')}`);
  for (const e of m.activeErrors) {
    lines.push(
      `  ${st.red('ERROR')} ${e.type}${e.subType ? `/${e.subType}` : ''}${e.message ? ` "${e.message}"` : ''} since ${formatAge(
        now - e.since,
      )}`,
    );
  }
  const tests = m.selfTests
    .slice()
    .reverse()
    .map(
      (t) =>
        `${clockTime(t.at)} ${t.result ? st.green('PASS') : st.red('FAIL')}${t.voltage !== undefined ? ` ${t.voltage} V` : ''}`,
    );
  lines.push(`  self tests: ${tests.length > 0 ? tests.join(', ') : st.dim('none seen')}`);
  const cc = m.commCheck
    ? `${m.commCheck.value ? 'true' : st.yellow('false')} ${formatAge(now - m.commCheck.at)} ago`
    : st.yellow('none seen');
  const hb = m.heartbeat ? `${m.heartbeat.id} (${formatAge(now - m.heartbeat.at)} ago)` : st.dim('none seen');
  const invalid = m.invalidPayloads > 0 ? `  ${st.red(`INVALID payloads: ${m.invalidPayloads}`)}` : '';
  lines.push(`  communication_check: ${cc}   heartbeat: ${hb}${invalid}`);
  return lines;
}

/** The whole screen (or snapshot). */
export function renderWatch(modules: readonly WatchedModule[], ctx: RenderContext): string[] {
  const head = `imd-host watch  ${ctx.url}  ${ctx.prefix}  ${clockTime(ctx.now)}  ${
    ctx.connected ? ctx.style.green('connected') : ctx.style.red('not connected')
  }`;
  const lines = [ctx.style.bold(head), ''];
  if (modules.length === 0) lines.push(ctx.style.dim('no module seen yet'));
  for (const m of modules) lines.push(...renderModule(m, ctx), '');
  return lines;
}
