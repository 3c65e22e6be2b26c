import type { Logger } from '@imd-host/sdk';

/** Where a command prints and reads; the process's streams in the CLI, fakes in tests. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  readonly log: Logger;
}

/** Calls `handler` on the first SIGINT or SIGTERM; the returned function removes the handlers. */
export function onTermination(handler: (signal: NodeJS.Signals) => void): () => void {
  const h = (signal: NodeJS.Signals): void => handler(signal);
  process.once('SIGINT', h);
  process.once('SIGTERM', h);
  return () => {
    process.off('SIGINT', h);
    process.off('SIGTERM', h);
  };
}

/**
 * Read single keys from a TTY in raw mode; Ctrl-C arrives as a key ('\u0003'). Returns the
 * function that restores the terminal. Does nothing (and returns a no-op) when stdin is no TTY.
 */
export function readKeys(io: CommandIo, onKey: (key: string) => void): () => void {
  const stdin = io.stdin;
  if (!stdin.isTTY || !stdin.setRawMode) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (d: Buffer | string): void => {
    for (const ch of d.toString()) onKey(ch);
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode?.(false);
    stdin.pause();
  };
}
