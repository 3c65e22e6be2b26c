export type {
  CanBus,
  CanBusCloseListener,
  CanBusOptions,
  CanFrame,
  MemoryBusOptions,
  SlcanBusOptions,
  SocketCanBusOptions,
} from './types';
export { CanBusError, formatFrame } from './types';
export { openCanBus } from './open';
export { SLCAN_BITRATES, SlcanTokenizer, decodeSlcanFrame, encodeSlcanFrame, slcanBitrateOf } from './slcan-codec';
export type { SlcanToken } from './slcan-codec';
