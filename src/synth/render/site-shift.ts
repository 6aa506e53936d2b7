/**
 * A synthetic site's acquisition applied to the stored 12-bit pixels after the default rendering, from
 * a random stream of its own, so the anatomy, the keypoints and every other draw stay those of the
 * default site. Order as in a detector chain: exposure (contrast, brightness), the vendor's tone
 * curve, added noise, then the storage convention (MONOCHROME1 inverts).
 */
import type { Random } from '../../util/random.js';
import type { AcquisitionShift } from '../sites.js';

const FULL = 4095;

export function applySiteShift(pixels: Uint16Array, shift: AcquisitionShift, rng: Random): void {
  const contrast = shift.contrast ?? 1;
  const brightness = shift.brightness ?? 0;
  const k = shift.toneCurve ?? 0;
  // The logistic curve rescaled to map 0 -> 0 and 1 -> 1.
  const lo = 1 / (1 + Math.exp(k / 2));
  const hi = 1 / (1 + Math.exp(-k / 2));
  const noise = shift.noiseSd ?? 0;
  for (let i = 0; i < pixels.length; i++) {
    let v = 0.5 + contrast * (pixels[i] / FULL - 0.5) + brightness;
    if (k > 0) v = (1 / (1 + Math.exp(-k * (v - 0.5))) - lo) / (hi - lo);
    if (noise > 0) v += noise * rng.normal();
    let q = Math.round(Math.min(1, Math.max(0, v)) * FULL);
    if (shift.monochrome1) q = FULL - q;
    pixels[i] = q;
  }
}

export function changesPixels(shift: AcquisitionShift): boolean {
  return shift.contrast !== undefined || shift.brightness !== undefined || shift.noiseSd !== undefined || shift.toneCurve !== undefined || shift.monochrome1 === true;
}
