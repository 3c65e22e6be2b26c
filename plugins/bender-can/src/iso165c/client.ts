import { AbortedError, TimeoutError, withTimeout } from '@imd-host/sdk';
import type { CanBus, CanFrame } from '../bus';
import type { ProtocolOptions } from '../options';
import {
  Cmd,
  commandName,
  decodeCommand,
  decodeInfo,
  encodeCommand,
  errorFrameCommand,
  ERROR_CODE_NAMES,
  type CommandFrame,
  type InfoFrame,
} from './protocol';

/** The device answered a request with an error frame (0xFF). */
export class DeviceErrorFrame extends Error {
  constructor(
    readonly cmd: number,
    readonly code: number,
  ) {
    super(`device rejected ${commandName(cmd)} with error ${code} (${ERROR_CODE_NAMES[code] ?? 'unknown code'})`);
    this.name = 'DeviceErrorFrame';
  }
}

/** A request got no matching response after every attempt. */
export class NoResponseError extends Error {
  constructor(
    readonly cmd: number,
    attempts: number,
    timeoutMs: number,
  ) {
    super(`no response to ${commandName(cmd)} after ${attempts} attempt(s) of ${timeoutMs} ms`);
    this.name = 'NoResponseError';
  }
}

interface Pending {
  readonly cmd: number;
  resolve(frame: CommandFrame): void;
  reject(error: Error): void;
}

export interface ClientOptions {
  readonly ids: Pick<ProtocolOptions, 'requestId' | 'responseId' | 'infoId'>;
  readonly responseTimeoutMs: number;
  readonly attempts: number;
  /** Called for every IMD_Info, with the time it arrived. */
  readonly onInfo: (info: InfoFrame, at: number) => void;
}

/**
 * Request/response over one bus: one request at a time (the device rejects a second one with
 * "queue full"), responses matched by id and echoed CMD, error frames turned into
 * {@link DeviceErrorFrame}, unanswered requests retried.
 */
export class Iso165cClient {
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly bus: CanBus,
    private readonly options: ClientOptions,
  ) {
    this.unsubscribe = bus.onFrame((f) => this.onFrame(f));
  }

  /** Sends `cmd` and resolves with its response. Serialised with other requests. */
  request(cmd: number, dw1 = 0, dw2 = 0, signal?: AbortSignal): Promise<CommandFrame> {
    const run = this.queue.then(() => this.exchange(cmd, dw1, dw2, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops listening; a request in flight is rejected. */
  dispose(): void {
    this.unsubscribe();
    this.pending?.reject(new AbortedError('request'));
    this.pending = undefined;
  }

  private async exchange(cmd: number, dw1: number, dw2: number, signal?: AbortSignal): Promise<CommandFrame> {
    const data = encodeCommand(cmd, dw1, dw2);
    const { attempts, responseTimeoutMs } = this.options;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (signal?.aborted) throw new AbortedError(commandName(cmd));
      const response = new Promise<CommandFrame>((resolve, reject) => {
        this.pending = { cmd, resolve, reject };
      });
      try {
        await this.bus.send({ id: this.options.ids.requestId, extended: false, data });
        return await withTimeout(response, responseTimeoutMs, commandName(cmd), signal);
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
      } finally {
        this.pending = undefined;
      }
    }
    throw new NoResponseError(cmd, attempts, responseTimeoutMs);
  }

  private onFrame(frame: CanFrame): void {
    if (frame.extended || frame.rtr) return;
    const { ids } = this.options;
    if (frame.id === ids.infoId) {
      const info = decodeInfo(frame.data);
      if (info) this.options.onInfo(info, Date.now());
      return;
    }
    if (frame.id !== ids.responseId) return;
    const response = decodeCommand(frame.data);
    const pending = this.pending;
    if (!response || !pending) return;
    if (response.cmd === pending.cmd) {
      pending.resolve(response);
    } else if (response.cmd === Cmd.ErrorFrame && errorFrameCommand(frame.data) === pending.cmd) {
      pending.reject(new DeviceErrorFrame(pending.cmd, response.dw1));
    }
    // Anything else (late answer to an earlier attempt, other command) is discarded.
  }
}
