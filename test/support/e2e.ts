import { startBroker, type TestBroker } from './broker';
import { FakeEverest } from './everest';
import { killStartedHosts } from './host';

/** What {@link useE2E} gives a test file. */
export interface E2E {
  /** This file's private broker. */
  readonly broker: TestBroker;
  /** The fake EVerest of the running test (or of the file, with `everestPer: 'file'`). */
  readonly everest: FakeEverest;
}

/**
 * The end-to-end scaffolding: a private broker for the test file, a fake EVerest connected to
 * it (per test or per file), every `startHost` process killed after each test, and no invalid
 * payload seen by EVerest.
 */
export function useE2E(options: { everestPer?: 'test' | 'file' } = {}): E2E {
  const per = options.everestPer ?? 'test';
  let broker: TestBroker | undefined;
  let everest: FakeEverest | undefined;
  const connect = async (): Promise<void> => {
    everest = new FakeEverest(broker!.url);
    await everest.connect();
  };
  beforeAll(async () => {
    broker = await startBroker();
    if (per === 'file') await connect();
  });
  afterAll(async () => {
    await killStartedHosts();
    if (per === 'file') await everest?.close();
    await broker?.stop();
  });
  beforeEach(async () => {
    if (per === 'test') await connect();
  });
  afterEach(async () => {
    await killStartedHosts();
    const e = everest;
    if (per === 'test') await e?.close();
    expect(e?.invalid ?? []).toEqual([]);
  });
  return {
    get broker() {
      if (!broker) throw new Error('useE2E: the broker is not started yet (use it inside a test)');
      return broker;
    },
    get everest() {
      if (!everest) throw new Error('useE2E: no fake EVerest yet (use it inside a test)');
      return everest;
    },
  };
}
