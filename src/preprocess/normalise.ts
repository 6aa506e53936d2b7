/**
 * From sampled intensities to the stored image: pixels off the radiograph (less than half covered) or
 * outside the region of interest become 0 (the letterbox padding); the rest are min-max normalised
 * over the region of interest (optionally between robust percentiles, values beyond clipped), once per
 * radiograph over all its channels (the five patches share one scale, so that their relative density
 * survives); the "with masks" variants then multiply by the vertebral-body mask. Values are stored as
 * uint8 (value / 255 is the normalised intensity), and the library API returns the same quantised
 * values as floats, so a model sees identical numbers at training and at prediction time.
 */
import type { Rect } from './geometry.js';
import type { Normalisation } from './params.js';
import type { SampledOutput } from './sample.js';

const MIN_COVERAGE = 0.5;

export interface NormaliseOptions {
  normalise: Normalisation;
  percentiles: [number, number];
}

/** The normalised image in [0, 1] before quantisation, [n, side, side]; invalid pixels are NaN. */
export function normaliseSample(sample: SampledOutput, side: number, rois: Rect[], options: NormaliseOptions): Float32Array {
  const plane = side * side;
  const n = rois.length;
  const out = new Float32Array(n * plane).fill(Number.NaN);
  const kept: number[] = [];
  for (let c = 0; c < n; c++) {
    const r = rois[c];
    // Pixel (x, y) is kept when its centre (x + 0.5, y + 0.5) lies in the region of interest.
    const xa = Math.max(0, Math.ceil(r.x0 - 0.5));
    const xb = Math.min(side, Math.ceil(r.x1 - 0.5));
    const ya = Math.max(0, Math.ceil(r.y0 - 0.5));
    const yb = Math.min(side, Math.ceil(r.y1 - 0.5));
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const i = c * plane + y * side + x;
        const cov = sample.coverage[i];
        if (cov >= MIN_COVERAGE) {
          out[i] = sample.values[i] / cov;
          kept.push(i);
        }
      }
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  if (options.normalise === 'minmax') {
    for (const i of kept) {
      const v = out[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  } else if (kept.length > 0) {
    const values = Float32Array.from(kept, (i) => out[i]).sort();
    const at = (p: number): number => {
      // Linear interpolation between order statistics (R's type 7, numpy's default).
      const h = (values.length - 1) * (p / 100);
      const j = Math.floor(h);
      return values[j] + (h - j) * ((values[Math.min(values.length - 1, j + 1)] ?? values[j]) - values[j]);
    };
    lo = at(options.percentiles[0]);
    hi = at(options.percentiles[1]);
  }
  const range = hi - lo;
  for (const i of kept) out[i] = range > 0 ? Math.min(1, Math.max(0, (out[i] - lo) / range)) : 0;
  return out;
}

/** uint8 pixels (round(255 v)), zero where invalid or, with masks, outside the channel's mask labels. */
export function quantise(normalised: Float32Array, side: number, maskLabels: number[][] | null, labels: Uint8Array | null): Uint8Array {
  const plane = side * side;
  const out = new Uint8Array(normalised.length);
  for (let i = 0; i < normalised.length; i++) {
    const v = normalised[i];
    if (!(v > 0)) continue; // NaN (invalid) and 0
    if (maskLabels !== null) {
      if (labels === null) throw new Error('internal: masked output without labels');
      if (!maskLabels[Math.floor(i / plane)].includes(labels[i])) continue;
    }
    out[i] = Math.round(v * 255);
  }
  return out;
}
