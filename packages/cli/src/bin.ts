// First: V8 heap settings, before any other module allocates.
import './heap-tuning';
import { createLogger } from '@imd-host/core';
import type { BrokerAccess, CommandIo } from '@imd-host/ops';

/** The operator tools are loaded by the commands that use them, not by `imd-host run`. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ops = (): typeof import('@imd-host/ops') => require('@imd-host/ops') as typeof import('@imd-host/ops');
import { Command, InvalidArgumentError, Option } from 'commander';
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

interface BrokerFlags {
  url: string;
  prefix: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

const brokerAccess = (o: BrokerFlags): BrokerAccess => ({
  url: o.url,
  username: o.username,
  password: o.password ?? process.env.IMD_MQTT_PASSWORD,
  ca: o.ca,
  cert: o.cert,
  key: o.key,
  insecure: o.insecure,
});

const toolIo = (): CommandIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  log: createLogger({ level: 'warn', pretty: false, destination: process.stderr }),
});

const number = (what: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${what} must be a${integer ? 'n integer' : ' number'}`);
  }
  return n;
};

const withBrokerFlags = (c: Command): Command =>
  c
    .option('--url <url>', 'broker URL', 'mqtt://127.0.0.1:1883')
    .option('--prefix <prefix>', 'topic prefix', 'everest_api/1/isolation_monitor')
    .option('--username <name>', 'MQTT user name')
    .option('--password <password>', 'MQTT password (or IMD_MQTT_PASSWORD)')
    .option('--ca <file>', 'CA certificate (PEM) for mqtts://')
    .option('--cert <file>', 'client certificate (PEM)')
    .option('--key <file>', 'client key (PEM)')
    .option('--insecure', 'do not verify the broker certificate');

withBrokerFlags(
  program
    .command('simulate-everest')
    .description(
      "play EVerest's side of the isolation_monitor API: commands, heartbeats, checks; with --script, run steps and exit 1 on FAIL or INVALID",
    ),
)
  .requiredOption('--module-id <id>', 'module id (repeat for several)', (v: string, prev: string[] = []) => [
    ...prev,
    v,
  ])
  .option('--script <file>', 'YAML/JSON list of steps (send, wait, expect, expectNo)')
  .option(
    '--heartbeat-ms <ms>',
    "EVerest's cfg_heartbeat_interval_ms (<= 0: none)",
    number('--heartbeat-ms', true),
    1000,
  )
  .option(
    '--comm-check-timeout-s <s>',
    "EVerest's cfg_communication_check_to_s (<= 0: no check)",
    number('--comm-check-timeout-s', false),
    5,
  )
  .option('--verbose', 'also print the heartbeats sent')
  .action(
    async (
      opts: BrokerFlags & {
        moduleId: string[];
        script?: string;
        heartbeatMs: number;
        commCheckTimeoutS: number;
        verbose?: boolean;
      },
    ) => {
      process.exitCode = await ops().simulateEverest(
        {
          broker: brokerAccess(opts),
          moduleIds: opts.moduleId,
          prefix: opts.prefix,
          heartbeatMs: opts.heartbeatMs,
          commCheckTimeoutS: opts.commCheckTimeoutS,
          script: opts.script,
          verbose: opts.verbose,
        },
        toolIo(),
      );
      process.exit();
    },
  );

withBrokerFlags(
  program
    .command('watch')
    .description('live view of every module on the broker: state, resistance, errors, self tests, communication check'),
)
  .option('--once', 'collect for --interval seconds (default 2), print one snapshot, exit')
  .option('--interval <s>', 'print a snapshot every <s> seconds instead of the live view', number('--interval', false))
  .action(async (opts: BrokerFlags & { once?: boolean; interval?: number }) => {
    process.exitCode = await ops().watch(
      { broker: brokerAccess(opts), prefix: opts.prefix, once: opts.once, intervalS: opts.interval },
      toolIo(),
    );
    process.exit();
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`imd-host: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
