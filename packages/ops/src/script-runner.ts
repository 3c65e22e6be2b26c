import { messageMismatch, type MessagePattern } from './matcher';
import { describeStep, type ScriptStep } from './script';
import type { SimEvent, SimMessage } from './simulator';

/** What the runner needs from the simulator (an interface, so the runner is testable without a broker). */
export interface ScriptTarget {
  on(listener: (e: SimEvent) => void): () => void;
  send(
    command: 'start' | 'stop' | 'start_self_test' | 'heartbeat',
    opts: { moduleId?: string; voltage?: number; id?: string },
  ): void;
}

/** The outcome of a script run. */
export interface ScriptOutcome {
  readonly passed: number;
  readonly failed: number;
  readonly invalid: number;
  /** Times the broker connection was lost during the run (commands may not have arrived). */
  readonly connectionLosses: number;
  /** 0 when every expectation passed, every payload was valid and the connection held; 1 otherwise. */
  readonly exitCode: 0 | 1;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs script steps against EVerest's side of the API: sends, waits, and checks expectations
 * on the m2e messages received, printing `PASS`/`FAIL` per expectation.
 */
export class ScriptRunner {
  private readonly history: SimMessage[] = [];
  private readonly waiters = new Set<(m: SimMessage) => void>();
  private invalid = 0;
  private connectionLosses = 0;

  constructor(
    private readonly target: ScriptTarget,
    private readonly steps: readonly ScriptStep[],
    private readonly print: (line: string) => void,
  ) {}

  async run(): Promise<ScriptOutcome> {
    const off = this.target.on((e) => {
      if (e.type === 'connection' && e.state === 'offline') this.connectionLosses += 1;
      if (e.type !== 'message') return;
      this.history.push(e.message);
      if (!e.message.valid) this.invalid += 1;
      for (const w of [...this.waiters]) w(e.message);
    });
    let passed = 0;
    let failed = 0;
    let lastSendAt = Date.now();
    try {
      for (const [i, step] of this.steps.entries()) {
        const label = `step ${i + 1}: ${describeStep(step)}`;
        switch (step.step) {
          case 'send':
            lastSendAt = Date.now();
            this.target.send(step.command, { moduleId: step.module, voltage: step.voltage, id: step.id });
            break;
          case 'wait':
            await sleep(step.ms);
            break;
          case 'expect': {
            const startedAt = Date.now();
            const from = step.since === 'send' ? lastSendAt : startedAt;
            const hit = await this.waitFor(step, from, startedAt + step.within);
            if (hit) {
              passed += 1;
              this.print(`PASS ${label} (${hit.moduleId} ${hit.raw}, ${Math.max(0, hit.at - startedAt)} ms)`);
            } else {
              failed += 1;
              this.print(`FAIL ${label}: ${this.closest(step, from)}`);
            }
            break;
          }
          case 'expectNo': {
            const startedAt = Date.now();
            const hit = await this.waitFor(step, startedAt, startedAt + step.forMs);
            if (hit) {
              failed += 1;
              this.print(`FAIL ${label}: got ${hit.moduleId} ${hit.raw} after ${hit.at - startedAt} ms`);
              // Keep the step's duration, so later steps run at the times the script intends.
              await sleep(Math.max(0, startedAt + step.forMs - Date.now()));
            } else {
              passed += 1;
              this.print(`PASS ${label}`);
            }
            break;
          }
        }
      }
    } finally {
      off();
      this.waiters.clear();
    }
    const losses = this.connectionLosses;
    const exitCode = failed > 0 || this.invalid > 0 || losses > 0 ? 1 : 0;
    this.print(
      `${exitCode === 0 ? 'PASS' : 'FAIL'} script: ${passed} passed, ${failed} failed, ${this.invalid} invalid payload(s)${
        losses > 0 ? `, broker connection lost ${losses} time(s)` : ''
      }`,
    );
    return { passed, failed, invalid: this.invalid, connectionLosses: losses, exitCode };
  }

  /** The first message at or after `from` matching `pattern`, waiting until `deadline`. */
  private waitFor(pattern: MessagePattern, from: number, deadline: number): Promise<SimMessage | undefined> {
    const seen = this.history.find((m) => m.at >= from && messageMismatch(m, pattern) === undefined);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const done = (m: SimMessage | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(onMessage);
        resolve(m);
      };
      const onMessage = (m: SimMessage): void => {
        if (m.at >= from && messageMismatch(m, pattern) === undefined) done(m);
      };
      const timer = setTimeout(() => done(undefined), Math.max(0, deadline - Date.now()));
      this.waiters.add(onMessage);
    });
  }

  /** Why nothing matched: the last message of that kind and what was wrong with it. */
  private closest(pattern: MessagePattern, from: number): string {
    const sameKind = this.history.filter(
      (m) =>
        m.at >= from && m.kind === pattern.message && (pattern.module === undefined || m.moduleId === pattern.module),
    );
    const last = sameKind[sameKind.length - 1];
    if (!last) return `no ${pattern.message} received`;
    return `${sameKind.length} ${pattern.message} received, none matched; last ${last.moduleId} ${last.raw}: ${
      messageMismatch(last, pattern) ?? 'matched too late'
    }`;
  }
}
