import { openMemoryBus } from './memory';
import { openSlcanBus } from './slcan';
import { openSocketCanBus } from './socketcan';
import { CanBusError, type CanBus, type CanBusOptions } from './types';

/** Opens the configured bus backend. Rejects with a {@link CanBusError} that says what to fix. */
export async function openCanBus(options: CanBusOptions): Promise<CanBus> {
  try {
    switch (options.type) {
      case 'socketcan':
        return openSocketCanBus(options);
      case 'slcan':
        return await openSlcanBus(options);
      case 'memory':
        return openMemoryBus(options.name);
    }
  } catch (e) {
    if (e instanceof CanBusError) throw e;
    throw new CanBusError(`cannot open CAN bus: ${(e as Error).message}`, { cause: e });
  }
  throw new CanBusError(`unknown CAN bus type "${(options as { type?: unknown }).type as string}"`);
}
