import plugin from './index';
import { RecordingContext } from './testing/recording-context';
import { sleep, waitFor } from './testing/wait-for';

// No AF_CAN and no can0 on this machine: open() must not reject; it raises a CommunicationFault
// whose message names the interface and the command to bring it up, and keeps retrying.
describe('iso165C driver on socketcan without kernel CAN', () => {
  it('raises a CommunicationFault with the bring-up hint instead of crashing', async () => {
    const ctx = new RecordingContext();
    const driver = plugin.createDriver({ bus: { type: 'socketcan', channel: 'can0' }, pollIntervalMs: 200 }, ctx);
    try {
      await expect(driver.open()).resolves.toBeUndefined();
      await waitFor(() => ctx.isActive('CommunicationFault', 'Bus'), 'CommunicationFault');
      const fault = ctx.raises('CommunicationFault', 'Bus')[0];
      expect(fault?.message).toMatch(/"can0"/);
      expect(fault?.message).toContain('ip link set can0 up type can bitrate 500000');
      await expect(driver.start()).resolves.toBeUndefined();
      expect(await driver.selfTest(500, new AbortController().signal)).toBe(false);
      await sleep(800); // retries with backoff, raising the fault only once
      expect(ctx.raises('CommunicationFault', 'Bus')).toHaveLength(1);
      expect(ctx.measurements).toEqual([]);
    } finally {
      await driver.close();
    }
  });
});
