import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The built CLI; `npm test` builds before running jest. */
export const CLI = path.resolve(__dirname, '../../packages/cli/dist/bin.js');

/** A running `imd-host` child process. */
export interface HostProcess {
  readonly child: ChildProcess;
  /** Everything it wrote, stdout and stderr. */
  output(): string;
  /** JSON log lines parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the exit code (or signal) once it exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const tempDirs: string[] = [];
process.once('exit', () => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A temp dir removed when the test process exits. */
export function tempDir(prefix = 'imd-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Write a config to a fresh temp dir and return its path. */
export function writeConfig(yamlText: string, name = 'imd-host.config.yaml'): string {
  const dir = tempDir('imd-cfg-');
  const file = path.join(dir, name);
  writeFileSync(file, yamlText);
  return file;
}

const started = new Set<HostProcess>();

/** SIGKILL every process started with {@link startHost} that still runs, and wait for it to end. */
export async function killStartedHosts(): Promise<void> {
  const all = [...started];
  started.clear();
  for (const h of all) {
    h.kill('SIGKILL');
    await h.exited;
  }
}

/** Run `imd-host <args>` as a child process (JSON logs, not a TTY). */
export function startHost(args: readonly string[], env: NodeJS.ProcessEnv = {}): HostProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const h: HostProcess = {
    child,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {};
          }
        }),
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  started.add(h);
  void exited.then(() => started.delete(h));
  return h;
}

/** Run `imd-host <args>` to completion. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const h = startHost(args, env);
  const { code } = await h.exited;
  return { code, output: h.output() };
}
