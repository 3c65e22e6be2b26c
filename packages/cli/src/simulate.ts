import { BUILTIN_PLUGINS, PluginLoader, createLogger } from '@imd-host/core';
import type { DeviceSimulatorCommand } from '@imd-host/sdk';

/** Every simulator the built-in plugins (and any plugins named with --plugin) ship. */
export function collectSimulators(extraPlugins: readonly string[] = []): DeviceSimulatorCommand[] {
  const loader = new PluginLoader();
  const out: DeviceSimulatorCommand[] = [];
  for (const name of [...Object.keys(BUILTIN_PLUGINS), ...extraPlugins]) {
    try {
      out.push(...(loader.load(name, process.cwd()).descriptor.simulators ?? []));
    } catch (err) {
      process.stderr.write(
        `imd-host: plugin ${name} not available: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
  return out;
}

/** `imd-host simulate-device <device> [args...]`. */
export async function simulateDevice(device: string | undefined, args: readonly string[]): Promise<number> {
  const sims = collectSimulators();
  const sim = sims.find((s) => s.name === device);
  if (!sim) {
    process.stderr.write(
      `${device ? `imd-host: no simulator named "${device}". ` : ''}Available device simulators:\n${sims
        .map((s) => `  ${s.name.padEnd(18)} ${s.description}`)
        .join('\n')}\n`,
    );
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`imd-host simulate-device ${sim.name}: ${sim.description}\n\n${sim.usage}\n`);
    return 0;
  }
  const log = createLogger({ level: 'info' });
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  try {
    await sim.run(args, abort.signal, log);
    return 0;
  } catch (err) {
    process.stderr.write(`imd-host simulate-device ${sim.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
