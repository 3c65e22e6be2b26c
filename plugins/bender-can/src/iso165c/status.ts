import { EXT_BIT_NAMES, ImcBit, VifcBit } from './protocol';

/** Names of the set bits of `value` among `names` (bit index → name). */
export function bitNames(value: number, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) if (value & (1 << i)) out.push(names[i] ?? `bit ${i}`);
  return out;
}

/** Names of failed self-test checks in D_IMC_STATUS_EXT. */
export function extBitNames(ext: number): string[] {
  return bitNames(ext, EXT_BIT_NAMES);
}

/** Whether IMD_Info says the resistance is a valid, current measurement. */
export function isMeasurementValid(imcStatus: number, vifcStatus: number): boolean {
  return (
    (imcStatus & (ImcBit.SystemFailure | ImcBit.SelfTestRunning | ImcBit.CalibrationRunning)) === 0 &&
    (vifcStatus &
      (VifcBit.MeasurementDeactivated |
        VifcBit.ResistanceOutdated |
        VifcBit.ImcConnectivityError |
        VifcBit.ImcAliveError)) ===
      0
  );
}

/** Why a measurement is not valid, for logs; empty when it is. */
export function invalidReasons(imcStatus: number, vifcStatus: number): string[] {
  const r: string[] = [];
  if (imcStatus & ImcBit.SystemFailure) r.push('system failure');
  if (imcStatus & ImcBit.SelfTestRunning) r.push('self test running');
  if (imcStatus & ImcBit.CalibrationRunning) r.push('calibration running');
  if (vifcStatus & VifcBit.MeasurementDeactivated) r.push('measurement deactivated');
  if (vifcStatus & VifcBit.ResistanceOutdated) r.push('value outdated');
  if (vifcStatus & VifcBit.ImcConnectivityError) r.push('IMC connectivity error');
  if (vifcStatus & VifcBit.ImcAliveError) r.push('IMC alive error');
  return r;
}
