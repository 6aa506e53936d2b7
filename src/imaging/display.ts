/**
 * Display helpers: the DICOM linear VOI window (PS3.3 C.11.2.1.2.1) to 8-bit grey, and summary
 * statistics in modality values.
 */
import type { Radiograph } from './radiograph.js';

/** Maps values through a window to 0..255: below c-0.5-(w-1)/2 black, above c-0.5+(w-1)/2 white. */
export function windowToBytes(values: Float32Array, window: { center: number; width: number }): Uint8Array {
  const out = new Uint8Array(values.length);
  const c = window.center - 0.5;
  const w = Math.max(1, window.width) - 1;
  const low = c - w / 2;
  const high = c + w / 2;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v <= low ? 0 : v > high ? 255 : Math.round(((v - c) / (w === 0 ? 1 : w) + 0.5) * 255);
  }
  return out;
}

/** Min, max and mean of the modality values as stored (before any MONOCHROME1 turn). */
export function modalityStatistics(r: Radiograph): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  const p = r.pixels;
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / p.length;
  if (r.inversion === null) return { min, max, mean };
  return { min: r.inversion - max, max: r.inversion - min, mean: r.inversion - mean };
}
