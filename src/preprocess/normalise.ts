/**
 * From sampled intensities to the stored image: pixels whose footprint is not wholly on the radiograph,
 * or that lie outside the region of interest, become 0 (the letterbox padding); the rest are min-max normalised
 * over the region of interest (optionally between robust percentiles, values beyond clipped), once per
 * radiograph over all its channels (the five patches share one scale, so that their relative density
 * survives); the "with masks" variants then multiply by the vertebral-body mask. Values are stored as
 * uint8 (value / 255 is the normalised intensity), and the library API returns the same quantised
 * values as floats, so a model sees identical numbers at training and at prediction time.
 */
import { invertAffine } from './affine.js';
import type { OutputLayout } from './geometry.js';
import type { Normalisation } from './params.js';
import type { SampledOutput } from './sample.js';

export interface NormaliseOptions {
  normalise: Normalisation;
  percentiles: [number, number];
}

export interface IntensityRange {
  /** 1 where the pixel is on the radiograph and inside the region of interest, [n, side, side]. */
  kept: Uint8Array;
  lo: number;
  hi: number;
}

/** Which pixels are kept, and the intensities that map to 0 and 1. */
export function intensityRange(sample: SampledOutput, layout: OutputLayout, rows: number, columns: number, options: NormaliseOptions): IntensityRange {
  const side = layout.side;
  const plane = side * side;
  const n = layout.matrices.length;
  const kept = new Uint8Array(n * plane);
  const values = sample.values;
  let keptCount = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < n; c++) {
    const r = layout.rois[c];
    // On the radiograph: the pixel centre maps at least half a footprint (plus half a pixel, for the
    // bilinear neighbours) inside the image's edges, so no sample read the zero padding.
    const [[a, b, tx], [cc, d, ty]] = invertAffine(layout.matrices[c]);
    const reach = 0.5 + (Math.SQRT2 / 2) * layout.inputPerOutput[c];
    const xMax = columns - reach;
    const yMax = rows - reach;
    // Pixel (x, y) is kept when its centre (x + 0.5, y + 0.5) lies in the region of interest.
    const xa = Math.max(0, Math.ceil(r.x0 - 0.5));
    const xb = Math.min(side, Math.ceil(r.x1 - 0.5));
    const ya = Math.max(0, Math.ceil(r.y0 - 0.5));
    const yb = Math.min(side, Math.ceil(r.y1 - 0.5));
    for (let y = ya; y < yb; y++) {
      let sx = a * (xa + 0.5) + b * (y + 0.5) + tx;
      let sy = cc * (xa + 0.5) + d * (y + 0.5) + ty;
      for (let x = xa; x < xb; x++, sx += a, sy += cc) {
        if (sx < reach || sx > xMax || sy < reach || sy > yMax) continue;
        const i = c * plane + y * side + x;
        kept[i] = 1;
        keptCount++;
        const v = values[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (options.normalise === 'percentile' && keptCount > 0) {
    const sorted = new Float32Array(keptCount);
    let j = 0;
    for (let i = 0; i < kept.length; i++) if (kept[i] === 1) sorted[j++] = values[i];
    sorted.sort();
    const at = (p: number): number => {
      // Linear interpolation between order statistics (R's type 7, numpy's default).
      const h = (sorted.length - 1) * (p / 100);
      const k = Math.floor(h);
      const next = sorted[Math.min(sorted.length - 1, k + 1)];
      return sorted[k] + (h - k) * (next - sorted[k]);
    };
    lo = at(options.percentiles[0]);
    hi = at(options.percentiles[1]);
  }
  return { kept, lo, hi };
}

/**
 * uint8 pixels round(255 (v - lo) / (hi - lo)), clipped to 0..255; zero where not kept or, with
 * masks, where the label is not one of the channel's mask labels. A flat region (hi = lo) is all zero.
 */
export function toBytes(sample: SampledOutput, range: IntensityRange, side: number, maskLabels: number[][] | null): Uint8Array {
  const plane = side * side;
  const { kept, lo, hi } = range;
  const values = sample.values;
  const out = new Uint8Array(kept.length);
  if (!(hi > lo)) return out;
  const scale = 255 / (hi - lo);
  const labels = sample.labels;
  if (maskLabels !== null && labels === null) throw new Error('internal: masked output without labels');
  for (let c = 0; c * plane < kept.length; c++) {
    let allowed: Uint8Array | null = null;
    if (maskLabels !== null) {
      allowed = new Uint8Array(256);
      for (const l of maskLabels[c]) allowed[l] = 1;
    }
    for (let i = c * plane; i < (c + 1) * plane; i++) {
      if (kept[i] === 0 || (allowed !== null && allowed[(labels as Uint8Array)[i]] === 0)) continue;
      // floor(x + 0.5) is Math.round for the x >= 0 kept here (negatives clip to 0 either way).
      const q = ((values[i] - lo) * scale + 0.5) | 0;
      out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
  }
  return out;
}
