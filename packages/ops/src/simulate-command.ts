import { onTermination, readKeys, type CommandIo } from './io';
import type { BrokerAccess } from './mqtt-options';
import { ScriptError, loadScript, type ScriptStep } from './script';
import { ScriptRunner } from './script-runner';
import { EverestSimulator, type SimEvent } from './simulator';

/** Options of `imd-host simulate-everest`. */
export interface SimulateEverestOptions {
  readonly broker: BrokerAccess;
  readonly moduleIds: readonly string[];
  readonly prefix: string;
  readonly heartbeatMs: number;
  readonly commCheckTimeoutS: number;
  readonly script?: string;
  /** Print sent heartbeats too. */
  readonly verbose?: boolean;
}

export const SIMULATE_HELP = [
  'keys: s = start, x = stop, t = self test 500 V, q = quit, h = help',
  'every m2e message is printed with its time and module; INVALID marks a payload that breaks the API schema',
].join('\n');

/** One output line per event; undefined for events not shown. */
export function formatSimEvent(e: SimEvent, verbose = false): string | undefined {
  const ts = (at: number): string => new Date(at).toISOString();
  switch (e.type) {
    case 'message': {
      const m = e.message;
      const base = `${ts(m.at)} ${m.moduleId} <- m2e/${m.kind} ${m.raw}`;
      return m.valid ? base : `${base} INVALID (${m.reason ?? 'invalid'})`;
    }
    case 'sent':
      if (e.kind === 'heartbeat' && !verbose) return undefined;
      return `${ts(e.at)} ${e.moduleId} -> e2m/${e.kind} ${e.payload}`;
    case 'commCheckLost':
      return `${ts(e.at)} ${e.moduleId} WARN no communication_check true ${
        e.initial ? 'since start' : 'within the time-out'
      }: EVerest raises CommunicationFault${e.initial ? ' (Initial communication check)' : ''}`;
    case 'commCheckBack':
      return `${ts(e.at)} ${e.moduleId} communication_check back: EVerest clears CommunicationFault`;
    case 'commCheckOff':
      return `${ts(e.at)} ${e.moduleId} WARN communication_check false: EVerest stops checking until it restarts`;
    case 'connection':
      return `${ts(e.at)} broker ${e.state}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/** `imd-host simulate-everest`: interactive, or running a script (exit 1 on FAIL or INVALID, 2 on a bad script). */
export async function simulateEverest(options: SimulateEverestOptions, io: CommandIo): Promise<number> {
  let steps: ScriptStep[] | undefined;
  if (options.script !== undefined) {
    try {
      steps = loadScript(options.script);
    } catch (err) {
      if (!(err instanceof ScriptError)) throw err;
      for (const p of err.problems) io.stderr.write(`${options.script}: ${p}\n`);
      return 2;
    }
  }
  let sim: EverestSimulator;
  try {
    sim = new EverestSimulator({
      broker: options.broker,
      moduleIds: options.moduleIds,
      prefix: options.prefix,
      heartbeatMs: options.heartbeatMs,
      commCheckTimeoutS: options.commCheckTimeoutS,
      log: io.log,
    });
  } catch (err) {
    io.stderr.write(`imd-host simulate-everest: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  let invalid = 0;
  sim.on((e) => {
    if (e.type === 'message' && !e.message.valid) invalid += 1;
    const line = formatSimEvent(e, options.verbose);
    if (line !== undefined) io.stdout.write(`${line}\n`);
  });
  try {
    await sim.start();
  } catch (err) {
    io.stderr.write(`imd-host simulate-everest: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  io.stdout.write(
    `simulating EVerest for ${options.moduleIds.join(', ')} on ${options.broker.url} (heartbeat ${options.heartbeatMs} ms, communication check time-out ${options.commCheckTimeoutS} s)\n`,
  );
  try {
    if (steps) {
      let interrupted: () => void = () => undefined;
      const stopped = new Promise<undefined>((resolve) => (interrupted = () => resolve(undefined)));
      const offSignals = onTermination(() => interrupted());
      try {
        const outcome = await Promise.race([
          new ScriptRunner(sim, steps, (l) => io.stdout.write(`${l}\n`)).run(),
          stopped,
        ]);
        return outcome ? outcome.exitCode : 130;
      } finally {
        offSignals();
      }
    }
    const interactive = io.stdin.isTTY === true;
    if (interactive) io.stdout.write(`${SIMULATE_HELP}\n`);
    await new Promise<void>((resolve) => {
      const offSignals = onTermination(() => finish());
      const offKeys = readKeys(io, (key) => {
        if (key === 'q' || key === '\u0003') finish();
        else if (key === 's') sim.send('start');
        else if (key === 'x') sim.send('stop');
        else if (key === 't') sim.send('start_self_test', { voltage: 500 });
        else if (key === 'h' || key === '?') io.stdout.write(`${SIMULATE_HELP}\n`);
      });
      function finish(): void {
        offSignals();
        offKeys();
        resolve();
      }
    });
    io.stdout.write(`${invalid} invalid payload(s)\n`);
    return invalid > 0 ? 1 : 0;
  } finally {
    await sim.stop();
  }
}
