import { FailureCounter, PollLoop, delay, type Driver, type DriverContext } from '@imd-host/sdk';
import { LineClient } from './client';
import { parseReading } from './protocol';

export interface AcmeOptions {
  host: string;
  port: number;
  pollIntervalMs: number;
  timeoutMs: number;
  commFaultAfterFailures: number;
  selfTestTimeoutMs: number;
}

/**
 * Driver for the Acme ISO-1: polls `MEAS?` while started and `PING?` while stopped; reports
 * `ERR=` codes as VendorError; N failed requests in a row raise CommunicationFault, the next
 * good answer clears it. The host enforces every protocol rule on top of this.
 */
export class AcmeDriver implements Driver {
  readonly pollIntervalMs: number;
  private readonly client: LineClient;
  private readonly failures: FailureCounter;
  private loop: PollLoop | undefined;
  private measuring = false;
  private vendorError: string | undefined;

  constructor(
    private readonly options: AcmeOptions,
    private readonly ctx: DriverContext,
  ) {
    this.pollIntervalMs = options.pollIntervalMs;
    this.client = new LineClient(options.host, options.port, options.timeoutMs);
    this.failures = new FailureCounter(options.commFaultAfterFailures);
  }

  async open(): Promise<void> {
    // Supervise the device from now on; an absent device becomes an error, never a rejection.
    this.loop = new PollLoop({
      intervalMs: this.options.pollIntervalMs,
      timeoutMs: this.options.timeoutMs * 2,
      poll: () => this.poll(),
      onError: (err) => this.failed(err),
    });
    this.loop.start();
  }

  async start(): Promise<void> {
    this.measuring = true;
  }

  async stop(): Promise<void> {
    this.measuring = false;
  }

  async selfTest(testVoltageV: number, signal: AbortSignal): Promise<boolean> {
    const answer = this.client.request(`TEST ${Math.round(testVoltageV)}`);
    answer.catch(() => undefined);
    // Our own time-out, cancelled when the answer comes first or the host aborts.
    const timeout = new AbortController();
    const onAbort = (): void => timeout.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([
        answer.then((l) => l.trim() === 'TEST PASS'),
        delay(this.options.selfTestTimeoutMs, timeout.signal).then(
          () => false,
          () => false,
        ),
      ]).catch(() => false);
    } finally {
      timeout.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
    await this.client.close();
  }

  private async poll(): Promise<void> {
    if (!this.measuring) {
      await this.client.request('PING?');
      this.succeeded();
      return;
    }
    const reading = parseReading(await this.client.request('MEAS?'));
    const takenAt = Date.now();
    this.succeeded();
    if (reading.error !== this.vendorError) {
      if (this.vendorError) this.ctx.clearError({ type: 'VendorError', subType: this.vendorError });
      if (reading.error)
        this.ctx.raiseError({
          type: 'VendorError',
          subType: reading.error,
          message: `Acme ISO-1 error ${reading.error}`,
        });
      this.vendorError = reading.error;
    }
    if (reading.error || reading.resistanceOhm === undefined) return;
    this.ctx.measurement({
      resistanceOhm: reading.resistanceOhm,
      ...(reading.voltageV !== undefined ? { voltageV: reading.voltageV } : {}),
      takenAt,
    });
  }

  private succeeded(): void {
    if (this.failures.success()) this.ctx.clearError({ type: 'CommunicationFault', subType: 'AcmeLink' });
  }

  private failed(err: unknown): void {
    if (this.failures.failure()) {
      this.ctx.raiseError({
        type: 'CommunicationFault',
        subType: 'AcmeLink',
        message: `Acme ISO-1 at ${this.client.endpoint}: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
}
