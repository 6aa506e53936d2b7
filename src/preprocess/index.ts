/**
 * The preprocessing stage's public face: align each radiograph on its L1 and L5 keypoints, cut the
 * region of interest (full L1-L5 or L1-L4 image, or five vertebral-body patches, with or without
 * masks), normalise and letterbox it. See docs/preprocess.md.
 */
export {
  VARIANT_NAMES, ALL_VARIANT_KEYS, DEFAULT_SIZE, DEFAULT_MARGIN, DEFAULT_PERCENTILES,
  defaultParams, checkParams, outputSide, channelCount, variantKey, parseVariantKey,
  type VariantName, type VariantKey, type PreprocessParams, type Alignment, type Normalisation,
} from './params.js';
export { applyAffine, invertAffine, composeAffine, type Matrix2x3, type Point } from './affine.js';
export { outputLayout, type OutputLayout, type Rect } from './geometry.js';
export { mapPointForward, mapPointBack, warpHeatmapBack, transformMatrices, type Transform } from './transform.js';
export { checkKeypoints } from './keypoint-checks.js';
export { preprocessRadiographs, type PreprocessOptions, type PreprocessedBatch } from './radiographs.js';
export { preprocessCohort, type PreprocessCohortOptions, type PreprocessSummary, type LeftOut } from './cohort.js';
export type { CohortImageList, CohortImageRow } from './cohort-images.js';
