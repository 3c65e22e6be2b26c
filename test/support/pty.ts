import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A pair of connected pseudo-terminals made by socat: what is written to one is read from the other. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  close(): Promise<void>;
}

/** Fails with a clear message when socat is not installed: tests never skip silently. */
export function requireSocat(): string {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (r.error) {
    throw new Error(
      'socat is required for the serial (pty) tests but was not found on PATH. Install it: apt-get install -y socat (.ci/run does this).',
    );
  }
  return 'socat';
}

/** Create a linked pty pair with socat (raw, no echo). Paths are symlinks in a temp dir. */
export async function openPtyPair(): Promise<PtyPair> {
  const socat = requireSocat();
  const dir = mkdtempSync(join(tmpdir(), 'imd-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child: ChildProcess = spawn(socat, [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 5000;
  while (!(existsSync(a) && existsSync(b))) {
    if (child.exitCode !== null) throw new Error(`socat exited with code ${child.exitCode} before creating the ptys`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pty pair within 5 s');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a,
    b,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
