import * as v8 from 'node:v8';

/**
 * V8 heap settings for a long-running host, applied before anything else loads (bin.ts imports
 * this first). Measured in docs/performance.md (100 modules at 10 Hz, peak RSS over the window):
 *
 * - `--no-allocation-site-pretenuring`: when many modules start at once, the objects each one
 *   creates while connecting survive, so V8 decides to allocate every later object of the same
 *   sites (mqtt.js packets, stream write requests) directly in the old generation, where they
 *   pile up as garbage until the next full GC: RSS climbed from 71 to 89-92 MB before each
 *   mark-compact. Without it the same host stays at 71-79 MB.
 * - `--heap-growing-percent=50`: the old generation may grow by half its live size before the
 *   next full GC, instead of up to 4x for a small heap. The host's live heap is about 14 MB, so
 *   that is a mark-compact of a few ms now and then; peak RSS 79 -> 74 MB, CPU unchanged within
 *   the bench's noise.
 *
 * Both are read by V8 at every GC, so they work when set at run time (unlike the young
 * generation's size: `--max-semi-space-size=1` is on the launcher's command line).
 */
export const HEAP_FLAGS = ['--no-allocation-site-pretenuring', '--heap-growing-percent=50'] as const;

if (process.env.IMD_HOST_V8_DEFAULTS !== '0') for (const flag of HEAP_FLAGS) v8.setFlagsFromString(flag);
