import { parseSimArgs } from './command';

test('simulate-device modbus arguments', () => {
  expect(parseSimArgs(['--preset', 'bender-isocha425hv', '--tcp', '5020'])).toEqual({
    preset: 'bender-isocha425hv',
    units: [3],
    endpoint: { tcp: { port: 5020, host: '127.0.0.1' } },
    resistanceOhm: undefined,
    voltageV: undefined,
  });
  expect(
    parseSimArgs(['--preset', 'dold-rn5893', '--rtu', '/dev/pts/4', '--unit', '1,2', '--baud', '9600']),
  ).toMatchObject({
    units: [1, 2],
    endpoint: { rtu: { path: '/dev/pts/4', baudRate: 9600, parity: 'none' } },
  });
  expect(() => parseSimArgs(['--tcp', '5020'])).toThrow('--preset must be one of: bender-isocha425hv, dold-rn5893');
  expect(() => parseSimArgs(['--preset', 'dold-rn5893'])).toThrow('give exactly one of --tcp PORT or --rtu PATH');
  expect(() => parseSimArgs(['--preset', 'dold-rn5893', '--tcp', '70000'])).toThrow(
    '--tcp must be a number in [1, 65535], got "70000"',
  );
  expect(() => parseSimArgs(['--preset', 'dold-rn5893', '--tcp'])).toThrow('--tcp needs a value');
  expect(() => parseSimArgs(['--preset', 'dold-rn5893', '--tcp', '1', '--colour', 'x'])).toThrow(
    'unknown option --colour',
  );
  expect(() => parseSimArgs(['--preset', 'dold-rn5893', '--tcp', '1', '--unit', '300'])).toThrow(
    '--unit takes ids 0..247, got "300"',
  );
});
