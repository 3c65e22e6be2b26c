import { delay } from '@imd-host/sdk';
import type { CommandFrame } from './protocol';
import { Cmd, ImcBit, SELF_TEST_OVERALL } from './protocol';

/** Outcome of a finished self test, read from GET_STATUS (0x37). */
export interface SelfTestOutcome {
  /** D_IMC_STATUS after the test. */
  readonly imcStatus: number;
  /** D_IMC_STATUS_EXT: failed checks, 0 = all passed. */
  readonly ext: number;
}

export type RequestFn = (cmd: number, dw1: number, dw2: number, signal: AbortSignal) => Promise<CommandFrame>;

/**
 * Runs the overall self test (0x21 scenario 1) and waits until it has finished: D_IMC_STATUS
 * bit 4 (self test running) seen set and then clear, polled with GET_STATUS (0x37). A test
 * that is never seen running does not count as finished (the caller's time-out makes it a
 * fail): a pass is never inferred from an earlier test's flags. Rejects when `signal` aborts.
 */
export async function runSelfTest(
  request: RequestFn,
  statusPollMs: number,
  signal: AbortSignal,
): Promise<SelfTestOutcome> {
  const echo = await request(Cmd.SelfTest, SELF_TEST_OVERALL, 0, signal);
  if (echo.dw1 !== SELF_TEST_OVERALL) throw new Error(`self test echo says scenario ${echo.dw1}`);
  let seenRunning = false;
  for (;;) {
    const status = await request(Cmd.GetImcStatus, 0, 0, signal);
    if (status.dw1 & ImcBit.SelfTestRunning) seenRunning = true;
    else if (seenRunning) return { imcStatus: status.dw1, ext: status.dw2 };
    await delay(statusPollMs, signal);
  }
}

/** Whether a finished self test passed: no system failure and no failed check. */
export function selfTestPassed(outcome: SelfTestOutcome): boolean {
  return (outcome.imcStatus & ImcBit.SystemFailure) === 0 && outcome.ext === 0;
}
