/**
 * Which physical pixel spacing a radiograph has, and where it came from (PS3.3 §10.7.1, CR/DX):
 * Pixel Spacing (0028,0030) is spacing in the patient when it was calibrated; Imager Pixel Spacing
 * (0018,1164) is at the detector, larger than the anatomy by the geometric magnification, which the
 * Estimated Radiographic Magnification Factor (0018,1114) corrects. A Pixel Spacing that merely
 * repeats the Imager Pixel Spacing (no calibration type given) is detector spacing too, so when an
 * ERMF is present it is applied to it.
 */
import type { SpacingSource } from '../radiograph.js';
import { decimalsOf, textOf, type DataSet } from './parse-dicom.js';

export interface SpacingResult {
  spacing: [number, number] | null;
  source: SpacingSource | null;
  warnings: string[];
}

function pair(dataSet: DataSet, tag: string, name: string, warnings: string[]): [number, number] | undefined {
  const values = decimalsOf(dataSet, tag);
  if (values === undefined) return undefined;
  if (values.length >= 2 && values.slice(0, 2).every((v) => Number.isFinite(v) && v > 0)) return [values[0], values[1]];
  if (values.length === 1 && Number.isFinite(values[0]) && values[0] > 0) {
    warnings.push(`${name} has one value; used for rows and columns`);
    return [values[0], values[0]];
  }
  warnings.push(`${name} is unreadable and was ignored`);
  return undefined;
}

export function readSpacing(dataSet: DataSet): SpacingResult {
  const warnings: string[] = [];
  const pixel = pair(dataSet, 'x00280030', 'Pixel Spacing', warnings);
  const imager = pair(dataSet, 'x00181164', 'Imager Pixel Spacing', warnings);
  const ermfValues = decimalsOf(dataSet, 'x00181114');
  let ermf: number | undefined;
  if (ermfValues !== undefined) {
    if (Number.isFinite(ermfValues[0]) && ermfValues[0] > 0) ermf = ermfValues[0];
    else warnings.push('Estimated Radiographic Magnification Factor is unreadable and was ignored');
  }
  const calibrated = textOf(dataSet, 'x00280a02') !== undefined;
  const repeatsImager = pixel !== undefined && imager !== undefined && Math.abs(pixel[0] - imager[0]) < 1e-9 && Math.abs(pixel[1] - imager[1]) < 1e-9;

  if (pixel !== undefined && !(repeatsImager && !calibrated && ermf !== undefined)) {
    return { spacing: pixel, source: 'PixelSpacing', warnings };
  }
  if (imager !== undefined) {
    if (ermf !== undefined) return { spacing: [imager[0] / ermf, imager[1] / ermf], source: 'ImagerPixelSpacing/ERMF', warnings };
    return { spacing: imager, source: 'ImagerPixelSpacing', warnings };
  }
  return { spacing: null, source: null, warnings };
}
