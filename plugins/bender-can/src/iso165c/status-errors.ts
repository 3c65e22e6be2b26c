import type { DeviceError } from '@imd-host/sdk';
import { ImcBit, VifcBit, type InfoFrame } from './protocol';
import { bitNames } from './status';

const IMC_BIT_NAMES = [
  'insulation fault',
  'chassis fault',
  'system failure',
  'calibration running',
  'self test running',
  'insulation warning',
];

/** An error and whether IMD_Info says it is present. */
export interface StatusError {
  readonly active: boolean;
  readonly error: DeviceError;
}

/**
 * The errors IMD_Info's status words stand for: system failure → DeviceFault, IMC link lost →
 * CommunicationFault, chassis fault / calibration → VendorWarning. Insulation fault and warning
 * bits are not errors (EVerest judges the resistance value).
 */
export function statusErrors(info: InfoFrame): StatusError[] {
  const { imcStatus, vifcStatus } = info;
  const link: string[] = [];
  if (vifcStatus & VifcBit.ImcConnectivityError) link.push('IMC connectivity lost');
  if (vifcStatus & VifcBit.ImcAliveError) link.push('IMC alive check failed');
  return [
    {
      active: (imcStatus & ImcBit.SystemFailure) !== 0,
      error: {
        type: 'DeviceFault',
        subType: 'SystemFailure',
        message: `iso165C reports a system failure (status bits: ${bitNames(imcStatus, IMC_BIT_NAMES).join(', ')})`,
      },
    },
    {
      active: link.length > 0,
      error: { type: 'CommunicationFault', subType: 'ImcLink', message: `iso165C internal link: ${link.join(', ')}` },
    },
    {
      active: (imcStatus & ImcBit.ChassisFault) !== 0,
      error: {
        type: 'VendorWarning',
        subType: 'ChassisFault',
        message: 'iso165C reports a chassis (ground) connection fault',
      },
    },
    {
      active: (imcStatus & ImcBit.CalibrationRunning) !== 0,
      error: { type: 'VendorWarning', subType: 'Calibration', message: 'iso165C calibration running' },
    },
  ];
}
