import { parseScript } from './script';
import { ScriptRunner, type ScriptTarget } from './script-runner';
import type { SimEvent } from './simulator';

/** EVerest's side without a broker: records what is sent, and a device that answers as told. */
class FakeTarget implements ScriptTarget {
  readonly sent: Array<{ command: string; moduleId?: string; voltage?: number }> = [];
  private readonly listeners = new Set<(e: SimEvent) => void>();
  constructor(private readonly onSend: (t: FakeTarget, command: string) => void = () => undefined) {}

  on(listener: (e: SimEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(
    command: 'start' | 'stop' | 'start_self_test' | 'heartbeat',
    opts: { moduleId?: string; voltage?: number },
  ): void {
    this.sent.push({ command, ...opts });
    this.onSend(this, command);
  }

  emit(kind: string, raw: string, opts: { moduleId?: string; valid?: boolean; afterMs?: number } = {}): void {
    const fire = (): void => {
      const valid = opts.valid ?? true;
      const message = {
        at: Date.now(),
        moduleId: opts.moduleId ?? 'iso',
        kind,
        raw,
        valid,
        value: valid ? (JSON.parse(raw) as unknown) : undefined,
        ...(valid ? {} : { reason: 'broken' }),
      };
      for (const l of this.listeners) l({ type: 'message', message });
    };
    if (opts.afterMs === undefined) fire();
    else setTimeout(fire, opts.afterMs);
  }

  lose(): void {
    for (const l of this.listeners) l({ type: 'connection', at: Date.now(), state: 'offline' });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

async function run(target: FakeTarget, steps: unknown[]) {
  const lines: string[] = [];
  const outcome = await new ScriptRunner(target, parseScript(steps), (l) => lines.push(l)).run();
  return { outcome, lines };
}

describe('script runner', () => {
  test('sends commands, passes expectations answered in time, exits 0', async () => {
    const target = new FakeTarget((t, command) => {
      if (command === 'start') t.emit('isolation_measurement', '{"resistance_F_Ohm":2000000}', { afterMs: 30 });
      if (command === 'start_self_test') t.emit('self_test_result', 'true', { afterMs: 50 });
    });
    const { outcome, lines } = await run(target, [
      { send: 'start' },
      { expect: 'isolation_measurement', within: 1000, where: { resistance_F_Ohm: { min: 1000 } } },
      { send: 'start_self_test', voltage: 700, module: 'iso' },
      { expect: 'self_test_result', equals: true, within: 1000 },
      { expectNo: 'raise_error', for: 50 },
    ]);
    expect(target.sent).toEqual([{ command: 'start' }, { command: 'start_self_test', moduleId: 'iso', voltage: 700 }]);
    expect(outcome).toEqual({ passed: 3, failed: 0, invalid: 0, connectionLosses: 0, exitCode: 0 });
    expect(lines.filter((l) => l.startsWith('PASS step'))).toHaveLength(3);
    expect(lines[lines.length - 1]).toBe('PASS script: 3 passed, 0 failed, 0 invalid payload(s)');
    expect(target.listenerCount).toBe(0);
  });

  test('a wrong value or no answer fails with the reason, exit 1', async () => {
    const target = new FakeTarget((t, command) => {
      if (command === 'start_self_test') t.emit('self_test_result', 'false', { afterMs: 10 });
    });
    const { outcome, lines } = await run(target, [
      { send: 'start_self_test' },
      { expect: 'self_test_result', equals: true, within: 200 },
      { expect: 'raise_error', within: 50 },
    ]);
    expect(outcome).toMatchObject({ passed: 0, failed: 2, exitCode: 1 });
    expect(lines).toContain(
      'FAIL step 2: expect self_test_result = true within 200 ms: 1 self_test_result received, none matched; last iso false: payload false, expected true',
    );
    expect(lines).toContain('FAIL step 3: expect raise_error within 50 ms: no raise_error received');
  });

  test('expect sees messages since the last send; since: step only newer ones', async () => {
    const target = new FakeTarget((t, command) => {
      if (command === 'start') t.emit('raise_error', '{"type":"DeviceFault"}');
    });
    const { outcome, lines } = await run(target, [
      { send: 'start' },
      { wait: 30 },
      { expect: 'raise_error', within: 10 },
      { expect: 'raise_error', within: 50, since: 'step' },
    ]);
    expect(outcome).toMatchObject({ passed: 1, failed: 1 });
    expect(lines[0]).toMatch(/^PASS step 3/);
    expect(lines[1]).toMatch(/^FAIL step 4/);
  });

  test('expectNo fails on a matching message within its window, not on others', async () => {
    const target = new FakeTarget((t, command) => {
      if (command === 'stop') {
        t.emit('isolation_measurement', '{"resistance_F_Ohm":5}', { moduleId: 'other', afterMs: 10 });
        t.emit('isolation_measurement', '{"resistance_F_Ohm":5}', { afterMs: 40 });
      }
    });
    const { outcome, lines } = await run(target, [
      { send: 'stop' },
      { expectNo: 'isolation_measurement', module: 'iso', for: 300 },
    ]);
    expect(outcome).toMatchObject({ passed: 0, failed: 1, exitCode: 1 });
    expect(lines[0]).toMatch(
      /^FAIL step 2: expect no isolation_measurement \[iso\] for 300 ms: got iso \{"resistance_F_Ohm":5\}/,
    );
  });

  test('an invalid payload fails the run even when every expectation passes', async () => {
    const target = new FakeTarget((t) => {
      t.emit('isolation_measurement', '{"voltage_V":1}', { valid: false });
      t.emit('communication_check', 'true');
    });
    const { outcome, lines } = await run(target, [
      { send: 'start' },
      { expect: 'communication_check', equals: true, within: 100 },
    ]);
    expect(outcome).toEqual({ passed: 1, failed: 0, invalid: 1, connectionLosses: 0, exitCode: 1 });
    expect(lines[lines.length - 1]).toBe('FAIL script: 1 passed, 0 failed, 1 invalid payload(s)');
  });

  test('a lost broker connection fails the run: commands may not have arrived', async () => {
    const target = new FakeTarget((t, command) => {
      if (command === 'start') t.lose();
    });
    const { outcome, lines } = await run(target, [{ send: 'start' }, { expectNo: 'raise_error', for: 20 }]);
    expect(outcome).toEqual({ passed: 1, failed: 0, invalid: 0, connectionLosses: 1, exitCode: 1 });
    expect(lines[lines.length - 1]).toBe(
      'FAIL script: 1 passed, 0 failed, 0 invalid payload(s), broker connection lost 1 time(s)',
    );
  });
});
