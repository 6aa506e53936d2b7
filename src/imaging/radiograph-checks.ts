/**
 * Whether the pixels can be a lateral lumbar radiograph at all, judged from image statistics alone
 * (no model weights), so that a blank film, a noise frame, an image turned on its side or one whose
 * grey scale runs the wrong way is refused with a reason before any detector sees it. A barely trained
 * detector's answer on such an image depends on the last bits of its arithmetic; these rules do not.
 *
 * Each rule returns a reason or nothing; thresholds sit far from every radiograph of the synthetic
 * cohort (docs/input-checks.md has the margins and the measured refusal rates).
 */
import type { Radiograph } from './radiograph.js';

/** A lateral lumbar film is portrait; a square panel gives 1. Wider than this is taken as turned 90°. */
export const MAX_WIDTH_OVER_HEIGHT = 1.1;
/** p1..p99 spread below this share of the possible range (2^Bits Stored - 1): nearly blank. */
export const MIN_SPREAD = 0.005;
/**
 * Share of the pixel variance left in block means (blocks 1/64 of the short side): anatomy keeps
 * nearly all of it (synthetic cohort >= 0.88), white noise keeps 1/(block area) of it.
 */
export const MIN_STRUCTURE = 0.4;
/** Rank correlation of local noise with brightness below this: the grey scale looks inverted. */
export const MAX_INVERTED_POLARITY = -0.1;

/** Every reason the pixels cannot be a lateral lumbar radiograph; empty when none applies. */
export function radiographPixelProblems(image: Pick<Radiograph, 'pixels' | 'rows' | 'columns' | 'bitsStored' | 'photometric'>): string[] {
  const problems: string[] = [];
  const { rows, columns } = image;
  if (columns > MAX_WIDTH_OVER_HEIGHT * rows) {
    problems.push(`the image is wider than tall (${columns} x ${rows}); a lateral lumbar radiograph is taller than wide, so it looks turned 90°`);
  }
  const range = percentiles(image.pixels);
  const level = blankness(range, image.bitsStored);
  if (level !== null) return [...problems, level];
  const structure = structureShare(image.pixels, rows, columns);
  if (structure < MIN_STRUCTURE) {
    // A noise frame: nothing larger than a pixel, so no vertebra for the detector to find.
    return [...problems, `no anatomy: only ${(100 * structure).toFixed(0)}% of the pixel variance is larger than a few pixels (noise), at least ${100 * MIN_STRUCTURE}% expected`];
  }
  const polarity = noiseBrightnessCorrelation(image, range);
  if (polarity !== null && polarity < MAX_INVERTED_POLARITY) {
    problems.push(
      `the grey scale looks inverted: the noise is strongest in the dark areas (rank correlation ${polarity.toFixed(2)}), so bone looks dark, although Photometric Interpretation ${image.photometric} says bone is bright`,
    );
  }
  return problems;
}

/** The 1st and 99th percentiles (by a 4096-bin histogram over the value range), min and max. */
export function percentiles(pixels: Float32Array): { min: number; max: number; p1: number; p99: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return { min, max, p1: min, p99: max };
  const bins = 4096;
  const counts = new Uint32Array(bins);
  const scale = (bins - 1) / (max - min);
  for (let i = 0; i < pixels.length; i++) counts[Math.round((pixels[i] - min) * scale)]++;
  const at = (q: number): number => {
    const target = q * pixels.length;
    let seen = 0;
    for (let b = 0; b < bins; b++) {
      seen += counts[b];
      if (seen > target) return min + b / scale;
    }
    return max;
  };
  return { min, max, p1: at(0.01), p99: at(0.99) };
}

/** Blank (one value), or nearly so (98% of the pixels in a sliver of the possible range). */
function blankness({ min, max, p1, p99 }: ReturnType<typeof percentiles>, bitsStored: number): string | null {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return 'the pixel values are not finite numbers';
  if (max === min) return `blank: every pixel has the value ${min}`;
  const spread = (p99 - p1) / (2 ** bitsStored - 1);
  if (spread < MIN_SPREAD) {
    return `nearly blank: 98% of the pixels lie within ${(100 * spread).toFixed(2)}% of the ${bitsStored}-bit range (at least ${100 * MIN_SPREAD}% expected)`;
  }
  return null;
}

/** Block side for a grid of about `cells` blocks across the short side (at least `least` pixels). */
function blockSide(rows: number, columns: number, cells: number, least: number): number {
  return Math.max(least, Math.round(Math.min(rows, columns) / cells));
}

/** Variance of the block means over the variance of the pixels (whole blocks only). */
export function structureShare(pixels: Float32Array, rows: number, columns: number): number {
  const b = blockSide(rows, columns, 64, 2);
  const br = Math.floor(rows / b);
  const bc = Math.floor(columns / b);
  if (br === 0 || bc === 0) return 1;
  const means = new Float64Array(br * bc);
  let sum = 0;
  let sumSq = 0;
  for (let r = 0; r < br * b; r++) {
    const row = r * columns;
    const out = Math.floor(r / b) * bc;
    for (let c = 0; c < bc * b; c++) {
      const v = pixels[row + c];
      sum += v;
      sumSq += v * v;
      means[out + Math.floor(c / b)] += v;
    }
  }
  const n = br * bc * b * b;
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  if (!(variance > 0)) return 0;
  let between = 0;
  for (let k = 0; k < means.length; k++) between += (means[k] / (b * b) - mean) ** 2;
  return between / means.length / variance;
}

/**
 * Spearman correlation, over blocks of the central 60% of the image, between a block's mean and its
 * noise (median |second difference| along rows). X-ray quantum noise is relatively strongest where
 * the fewest photons arrive, which a bone-bright image shows bright; turned grey scales show the
 * opposite. The centre keeps collimator shutters (bright and quiet) out; blocks within 2% of either
 * end of the value range are left out because clipping flattens their noise. Null when too few blocks
 * or no noise to measure. `range`: the image's min and max, when the caller has them.
 */
export function noiseBrightnessCorrelation(
  image: Pick<Radiograph, 'pixels' | 'rows' | 'columns'>,
  range: { min: number; max: number } = percentiles(image.pixels),
): number | null {
  const { pixels, rows, columns } = image;
  // At least 8 px, so that an edge through a block touches at most 2 of its 6 differences per row and
  // the median still reads the noise.
  const b = blockSide(rows, columns, 32, 8);
  // About 16 x 16 differences per block are plenty for a median, and keep a 3000 px image fast.
  const step = Math.max(1, Math.floor(b / 16));
  const low = range.min + 0.02 * (range.max - range.min);
  const high = range.max - 0.02 * (range.max - range.min);
  const means: number[] = [];
  const noise: number[] = [];
  const diffs = new Float64Array(Math.ceil(b / step) * Math.ceil((b - 2) / step));
  for (let r0 = Math.floor(0.2 * rows); r0 + b <= Math.ceil(0.8 * rows); r0 += b) {
    for (let c0 = Math.floor(0.2 * columns); c0 + b <= Math.ceil(0.8 * columns); c0 += b) {
      let sum = 0;
      let k = 0;
      for (let r = r0; r < r0 + b; r++) {
        const row = r * columns;
        for (let c = c0; c < c0 + b; c++) sum += pixels[row + c];
        if ((r - r0) % step !== 0) continue;
        for (let c = c0 + 1; c < c0 + b - 1; c += step) diffs[k++] = Math.abs(pixels[row + c - 1] - 2 * pixels[row + c] + pixels[row + c + 1]);
      }
      const mean = sum / (b * b);
      if (mean < low || mean > high) continue;
      const sample = diffs.subarray(0, k).sort();
      means.push(mean);
      noise.push(sample[k >> 1]);
    }
  }
  if (means.length < 16) return null;
  return spearman(means, noise);
}

/** Average ranks, so that ties (flat 8-bit noise) count fairly. */
function ranks(values: number[]): Float64Array {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) out[order[k]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function spearman(a: number[], b: number[]): number | null {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const mean = (n - 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) ** 2;
    sbb += (rb[i] - mean) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}
