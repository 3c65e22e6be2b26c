import mqtt from 'mqtt';
import { onTermination, readKeys, type CommandIo } from './io';
import { clientOptions, type BrokerAccess } from './mqtt-options';
import { WatchModel } from './watch-model';
import { ANSI_STYLE, PLAIN_STYLE, renderWatch } from './watch-render';

/** Options of `imd-host watch`. */
export interface WatchOptions {
  readonly broker: BrokerAccess;
  readonly prefix: string;
  /** Print one snapshot after collecting for `intervalS` (default 2 s) and exit: 0, or 1 when not connected. */
  readonly once?: boolean;
  /** Non-TTY: seconds between snapshots (default 5). On a TTY it forces snapshot mode too. */
  readonly intervalS?: number;
}

const CLEAR = '\u001b[H\u001b[2J';
const ALT_ON = '\u001b[?1049h\u001b[?25l';
const ALT_OFF = '\u001b[?25h\u001b[?1049l';

/** `imd-host watch`: a live view of every module on the broker. */
export async function watch(options: WatchOptions, io: CommandIo): Promise<number> {
  const prefix = options.prefix.replace(/\/+$/, '');
  const model = new WatchModel(prefix);
  const client = mqtt.connect(options.broker.url, clientOptions(options.broker, 'watch'));
  let connected = false;
  let firstSubscription: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => (firstSubscription = resolve));
  // Subscribe on every connect: a subscription sent while the broker was away is lost.
  client.on('connect', () => {
    connected = true;
    client.subscribeAsync([`${prefix}/+/m2e/#`, `${prefix}/+/e2m/#`], { qos: 0 }).then(
      () => firstSubscription(),
      (err: unknown) => io.log.warn({ err: String(err) }, 'watch: subscribe failed'),
    );
  });
  client.on('close', () => (connected = false));
  client.on('error', (err) => io.log.warn({ err: err.message }, 'watch: broker error'));
  client.on('message', (topic, payload) => model.apply(topic, payload, Date.now()));

  const live = io.stdout.isTTY === true && !options.once && options.intervalS === undefined;
  const render = (style = live ? ANSI_STYLE : PLAIN_STYLE): string =>
    renderWatch(model.modules(), { url: options.broker.url, prefix, now: Date.now(), style, connected }).join('\n');

  try {
    if (options.once) {
      // Collect for the interval after subscribing (or give up when the broker never answers).
      const collectMs = (options.intervalS ?? 2) * 1000;
      let timer: NodeJS.Timeout | undefined;
      const connectTimeout = new Promise<void>((r) => (timer = setTimeout(r, collectMs + 5000)));
      await Promise.race([subscribed, connectTimeout]);
      clearTimeout(timer);
      if (connected) await new Promise((r) => setTimeout(r, collectMs));
      io.stdout.write(`${render()}\n`);
      return connected ? 0 : 1;
    }
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout;
      let offKeys: () => void = () => undefined;
      const finish = (): void => {
        clearInterval(timer);
        offSignals();
        offKeys();
        if (live) io.stdout.write(ALT_OFF);
        resolve();
      };
      const offSignals = onTermination(finish);
      if (live) {
        io.stdout.write(ALT_ON);
        const draw = (): void => {
          io.stdout.write(`${CLEAR}${render()}\n${ANSI_STYLE.dim('q or Ctrl-C quits')}`);
        };
        draw();
        timer = setInterval(draw, 500);
        offKeys = readKeys(io, (key) => {
          if (key === 'q' || key === '\u0003') finish();
        });
      } else {
        timer = setInterval(() => io.stdout.write(`${render()}\n`), (options.intervalS ?? 5) * 1000);
      }
    });
    return 0;
  } finally {
    await client.endAsync(true);
  }
}
