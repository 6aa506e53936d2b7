/**
 * What a preprocessing run is: the variant, its size, margin and alignment. These parameters are
 * stored in every image model, so that `spinesurv predict` prepares a new radiograph exactly as the
 * training images were prepared.
 */
import { UsageError } from '../util/errors.js';

export type VariantName = 'full-l1l5' | 'full-l1l4' | 'patches';
export const VARIANT_NAMES: readonly VariantName[] = ['full-l1l5', 'full-l1l4', 'patches'];

/** The six variants of the study, by their folder names under --all-variants. */
export const ALL_VARIANT_KEYS = ['full-l1l5', 'full-l1l4', 'patches', 'full-l1l5-masks', 'full-l1l4-masks', 'patches-masks'] as const;
export type VariantKey = (typeof ALL_VARIANT_KEYS)[number];

export type Alignment = 'similarity' | 'rigid';
export type Normalisation = 'minmax' | 'percentile';

export interface PreprocessParams {
  variant: VariantName;
  /** Multiply the image by the vertebral-body mask (the "with masks" variants). */
  masks: boolean;
  /** Output side in pixels for the full variants (the study: 384). */
  size: number;
  /** Output side in pixels of each patch (defaults to `size`). */
  patchSize: number;
  /**
   * External margin as a fraction of the alignment length: of the L1-L5 keypoint distance for the
   * full variants, of the distance to the neighbouring keypoints for patches (docs/preprocess.md).
   */
  margin: number;
  align: Alignment;
  normalise: Normalisation;
  /** Lower and upper percentiles for `normalise: 'percentile'` (ignored by minmax). */
  percentiles: [number, number];
  /**
   * Rigid alignment only: the L1-L5 keypoint distance, in input pixels, that the fixed scale is
   * built for (one scale for every radiograph). preprocessCohort sets it to the cohort's median.
   */
  rigidReferenceDistance: number | null;
}

export const DEFAULT_SIZE = 384;
export const DEFAULT_MARGIN = 0.25;
export const DEFAULT_PERCENTILES: [number, number] = [0.5, 99.5];

export function defaultParams(variant: VariantName, overrides: Partial<PreprocessParams> = {}): PreprocessParams {
  const size = overrides.size ?? DEFAULT_SIZE;
  return {
    variant,
    masks: false,
    size,
    patchSize: size,
    margin: DEFAULT_MARGIN,
    align: 'similarity',
    normalise: 'minmax',
    percentiles: DEFAULT_PERCENTILES,
    rigidReferenceDistance: null,
    ...overrides,
  };
}

/** The side of the output images of this variant. */
export function outputSide(params: PreprocessParams): number {
  return params.variant === 'patches' ? params.patchSize : params.size;
}

export function channelCount(variant: VariantName): number {
  return variant === 'patches' ? 5 : 1;
}

export function variantKey(variant: VariantName, masks: boolean): VariantKey {
  return (masks ? `${variant}-masks` : variant) as VariantKey;
}

export function parseVariantKey(key: VariantKey): { variant: VariantName; masks: boolean } {
  const masks = key.endsWith('-masks');
  return { variant: (masks ? key.slice(0, -'-masks'.length) : key) as VariantName, masks };
}

/** Throws UsageError naming the first parameter out of range. */
export function checkParams(params: PreprocessParams): void {
  if (!VARIANT_NAMES.includes(params.variant)) throw new UsageError(`preprocess: unknown variant "${params.variant}" (${VARIANT_NAMES.join(', ')})`);
  for (const [name, v] of [['size', params.size], ['patch size', params.patchSize]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096) throw new UsageError(`preprocess: ${name} must be an integer in 16..4096, got ${v}`);
  }
  if (!Number.isFinite(params.margin) || params.margin < 0 || params.margin > 2) {
    throw new UsageError(`preprocess: margin must be in 0..2 (a fraction of the keypoint distance), got ${params.margin}`);
  }
  if (params.align !== 'similarity' && params.align !== 'rigid') throw new UsageError(`preprocess: align must be similarity or rigid, got "${params.align}"`);
  if (params.normalise !== 'minmax' && params.normalise !== 'percentile') {
    throw new UsageError(`preprocess: normalise must be minmax or percentile, got "${params.normalise}"`);
  }
  const [lo, hi] = params.percentiles;
  if (!(lo >= 0 && hi <= 100 && lo < hi)) throw new UsageError(`preprocess: percentiles must satisfy 0 <= low < high <= 100, got ${lo}, ${hi}`);
  if (params.align === 'rigid') {
    const d = params.rigidReferenceDistance;
    if (d === null || !Number.isFinite(d) || d <= 0) {
      throw new UsageError('preprocess: rigid alignment needs rigidReferenceDistance (the L1-L5 distance in input pixels its fixed scale is built for)');
    }
  }
}
