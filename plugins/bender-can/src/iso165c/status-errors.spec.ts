import { statusErrors } from './status-errors';

function active(imcStatus: number, vifcStatus: number): string[] {
  return statusErrors({ resistanceKOhm: 100, imcStatus, vifcStatus })
    .filter((e) => e.active)
    .map((e) => `${e.error.type}/${e.error.subType}`);
}

describe('IMD_Info status → errors', () => {
  it('a healthy device (insulation fault/warning bits included) has no errors', () => {
    expect(active(0b10_0001, 0x3000)).toEqual([]);
  });

  it('maps system failure, IMC link, chassis fault and calibration', () => {
    expect(active(1 << 2, 0)).toEqual(['DeviceFault/SystemFailure']);
    expect(active(0, 1 << 1)).toEqual(['CommunicationFault/ImcLink']);
    expect(active(0, 1 << 2)).toEqual(['CommunicationFault/ImcLink']);
    expect(active(1 << 1, 0)).toEqual(['VendorWarning/ChassisFault']);
    expect(active(1 << 3, 0)).toEqual(['VendorWarning/Calibration']);
  });

  it('names the set status bits in the DeviceFault message', () => {
    const e = statusErrors({ resistanceKOhm: 0, imcStatus: 0b101, vifcStatus: 0 })[0];
    expect(e?.error.message).toBe('iso165C reports a system failure (status bits: insulation fault, system failure)');
  });
});
