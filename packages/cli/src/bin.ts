import { Command, Option } from 'commander';
import { listPlugins } from './list-plugins';
import { runHost, validateConfig } from './run';
import { simulateDevice } from './simulate';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

const program = new Command();
program
  .name('imd-host')
  .description('Connects insulation monitoring devices (IMDs) to EVerest over its isolation_monitor MQTT API')
  .version(version, '-v, --version')
  .enablePositionalOptions();

const configOption = new Option(
  '-c, --config <file>',
  'configuration file (default: searched from the working directory)',
);

program
  .command('run', { isDefault: true })
  .description('run the host with the modules of the configuration')
  .addOption(configOption)
  .addOption(
    new Option('-l, --log-level <level>', 'override log.level').choices([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'silent',
    ]),
  )
  .action(
    async (opts: {
      config?: string;
      logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    }) => {
      process.exitCode = await runHost(opts);
    },
  );

program
  .command('validate-config')
  .description("check a configuration file (host settings and every plugin's options) and print OK or every problem")
  .addOption(configOption)
  .action((opts: { config?: string }) => {
    process.exitCode = validateConfig(opts);
  });

program
  .command('list-plugins')
  .description('list built-in and installed plugins with version and SDK compatibility')
  .action(() => {
    process.exitCode = listPlugins();
  });

program
  .command('simulate-device')
  .description('run a device simulator for bring-up without hardware (e.g. modbus, bender-iso165c)')
  .argument('[device]', 'simulator name')
  .argument('[args...]', 'simulator arguments (see simulate-device <device> --help)')
  .allowUnknownOption()
  .helpOption(false)
  .passThroughOptions()
  .action(async (device: string | undefined, args: string[]) => {
    process.exitCode = await simulateDevice(device, args);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`imd-host: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
