import type { Logger } from './types';

const noop = (): void => undefined;

/** A logger that drops everything; for tests and tools. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => silentLogger,
};
