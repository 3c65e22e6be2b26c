import * as path from 'node:path';
import { ScriptError, describeStep, loadScript, parseScript, parseScriptText } from './script';

const problemsOf = (doc: unknown): readonly string[] => {
  try {
    parseScript(doc);
  } catch (err) {
    if (err instanceof ScriptError) return err.problems;
    throw err;
  }
  throw new Error('expected a ScriptError');
};

describe('script parser', () => {
  test('parses every step kind with defaults', () => {
    const steps = parseScriptText(`
- { send: start }
- { send: start_self_test }
- { send: start_self_test, voltage: 800, module: left }
- { send: heartbeat, id: "18446744073709551615" }
- { wait: 1500 }
- { expect: isolation_measurement, within: 3000, where: { resistance_F_Ohm: { min: 1000 } } }
- { expect: self_test_result, equals: true }
- { expectNo: isolation_measurement, for: 1000 }
- { expect: raise_error, where: { type: DeviceFault }, since: step }
`);
    expect(steps).toEqual([
      { step: 'send', command: 'start' },
      { step: 'send', command: 'start_self_test', voltage: 500 },
      { step: 'send', command: 'start_self_test', voltage: 800, module: 'left' },
      { step: 'send', command: 'heartbeat', id: '18446744073709551615' },
      { step: 'wait', ms: 1500 },
      {
        step: 'expect',
        message: 'isolation_measurement',
        within: 3000,
        since: 'send',
        where: { resistance_F_Ohm: { min: 1000 } },
      },
      { step: 'expect', message: 'self_test_result', equals: true, within: 5000, since: 'send' },
      { step: 'expectNo', message: 'isolation_measurement', forMs: 1000 },
      { step: 'expect', message: 'raise_error', where: { type: 'DeviceFault' }, within: 5000, since: 'step' },
    ]);
  });

  test('JSON text and the { steps: [...] } form are accepted', () => {
    expect(parseScriptText('{"steps":[{"send":"stop"},{"wait":10}]}')).toEqual([
      { step: 'send', command: 'stop' },
      { step: 'wait', ms: 10 },
    ]);
  });

  test('collects every problem with its step number', () => {
    const problems = problemsOf([
      { send: 'reboot' },
      { wait: -1 },
      { expect: 'measurement' },
      { expectNo: 'raise_error' },
      { send: 'start', voltage: 500 },
      { expect: 'raise_error', where: { type: [1] }, bogus: 1 },
      { wait: 1, send: 'start' },
      { send: 'heartbeat', id: '18446744073709551616' },
      'start',
    ]);
    expect(problems).toEqual([
      'step 1: send must be one of start, stop, start_self_test, heartbeat',
      'step 2: wait must be milliseconds (integer, 0..3600000)',
      expect.stringMatching(/^step 3: expect must be one of isolation_measurement/),
      'step 4: expectNo needs for: milliseconds',
      'step 5: voltage only applies to start_self_test',
      'step 6: unknown key "bogus"',
      'step 6: where.type: expected a value or { min, max, equals, exists }',
      'step 7: needs exactly one of send, wait, expect, expectNo',
      'step 8: id exceeds 2^64-1',
      'step 9: must be an object such as { send: start } or { wait: 1000 }',
    ]);
  });

  test('an empty script, a non-list and broken YAML are rejected', () => {
    expect(problemsOf([])).toEqual(['a script is a non-empty list of steps (or { steps: [...] })']);
    expect(problemsOf({ send: 'start' })).toHaveLength(1);
    expect(() => parseScriptText('- { send: start')).toThrow(ScriptError);
  });

  test('a missing file is a ScriptError naming the file', () => {
    expect(() => loadScript('/nonexistent/script.yaml')).toThrow(/cannot read \/nonexistent\/script.yaml: ENOENT/);
  });

  test('the example script in config/ parses', () => {
    const steps = loadScript(path.resolve(__dirname, '../../../config/simulate-everest.example.yaml'));
    expect(steps.length).toBeGreaterThan(5);
    expect(steps.map((s) => s.step)).toEqual(expect.arrayContaining(['send', 'wait', 'expect', 'expectNo']));
  });

  test('describeStep is one readable line', () => {
    expect(describeStep({ step: 'send', command: 'start_self_test', voltage: 500, module: 'left' })).toBe(
      'send start_self_test 500 V [left]',
    );
    expect(
      describeStep({ step: 'expect', message: 'self_test_result', equals: false, within: 100, since: 'send' }),
    ).toBe('expect self_test_result = false within 100 ms');
    expect(describeStep({ step: 'expectNo', message: 'raise_error', forMs: 10, where: { type: 'DeviceFault' } })).toBe(
      'expect no raise_error where {"type":"DeviceFault"} for 10 ms',
    );
  });
});
