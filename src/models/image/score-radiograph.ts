/**
 * Scores one radiograph at given keypoints with an image model: refuse an image that cannot be a
 * lateral lumbar radiograph (by its tags or its pixels: quality.ts), refuse keypoints out of order, off
 * the image or spaced like no spine, cut the model's input with exactly the preprocessing its training
 * input was made with (src/preprocess, the parameters stored in the model folder), and return the log
 * hazard ratio, survival at 1, 3 and 5 years, the percentile among the training patients and any
 * warnings (clinical values outside the training ranges). With `heatmap`, also the Grad-CAM overlay as
 * a PNG. Finding the keypoints with the model's detector, and turning refusals into outcomes, is the
 * scoring core's (radiograph-scorer.ts), which every face calls.
 */
import { heatmapOverlayPng, windowToBytes, type Radiograph } from '../../imaging/index.js';
import { tensor } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { checkKeypoints, preprocessRadiographs, warpHeatmapBack } from '../../preprocess/index.js';
import { qualityFlags } from '../../landmarks/flags.js';
import { refusalReasons } from './quality.js';
import { gradCam } from './gradcam.js';
import type { ClinicalValues } from './clinical.js';
import type { ImageModel } from './model.js';

export interface KeypointSet {
  /** x1, y1, ..., x5, y5 (L1..L5) on the radiograph, COCO pixels (the centre of the top-left pixel at 0.5, 0.5). */
  keypoints: ArrayLike<number>;
  /** Reasons not to trust them: the detector's quality flags, or those of the file they came from. */
  flags: string[];
}

/** The numbers of a scored radiograph; ScoredOutcome (radiograph-scorer.ts) is what the faces see. */
export interface RadiographScore {
  risk: number;
  surv: Record<string, number>;
  percentile: number;
  keypoints: number[];
  warnings: string[];
}

export const SURVIVAL_YEARS = [1, 3, 5];

/**
 * A radiograph not scored for the reasons in `flags`: its keypoints' (`what` 'keypoints flagged'), or
 * the image's own, found before any keypoints (NOT_A_LATERAL_LUMBAR_RADIOGRAPH).
 */
export class FlaggedRadiograph extends InputError {
  constructor(readonly file: string, readonly flags: string[], what = 'keypoints flagged') {
    super(`${file}: ${what} (${flags.join('; ')}); not scored`);
  }
}

/** What an image refused before its keypoints are looked for is called in messages. */
export const NOT_A_LATERAL_LUMBAR_RADIOGRAPH = 'not a lateral lumbar radiograph';

/** Throws FlaggedRadiograph naming `file` when the image cannot be a lateral lumbar radiograph. */
export function refuseNotLateralLumbar(file: string, image: Radiograph): void {
  const reasons = refusalReasons(image);
  if (reasons.length > 0) throw new FlaggedRadiograph(file, reasons, NOT_A_LATERAL_LUMBAR_RADIOGRAPH);
}

const FULL_CONFIDENCE = [1, 1, 1, 1, 1];

/**
 * Every reason not to align on these keypoints: the flags they came with; for a set given by the
 * caller, the detector's own order and spacing checks (its confidence does not apply); and the
 * preprocessing's requirement that all five lie inside the image in order down the spine.
 */
export function keypointProblems(set: KeypointSet, given: boolean, rows: number, columns: number): string[] {
  const kp = set.keypoints;
  if (kp.length !== 10 || !Array.from(kp).every(Number.isFinite)) return [...set.flags, 'keypoints: need 5 finite points (x, y for L1..L5)'];
  const flags = [...set.flags, ...(given ? qualityFlags(kp, FULL_CONFIDENCE) : [])];
  const problem = checkKeypoints(kp, rows, columns);
  if (problem !== null) flags.push(problem);
  return flags;
}

/**
 * Scores a radiograph at a set of keypoints (the caller's, or the detector's found by the scoring core,
 * radiograph-scorer.ts, which every face calls, and which has read the image). Throws InputError naming `file` (or options.where for
 * clinical values) for a radiograph that cannot be scored, FlaggedRadiograph for an image refused by
 * quality.ts or for keypoints that fail the detector's order and spacing checks or lie off the image.
 */
export async function scoreRadiograph(
  model: ImageModel,
  file: string,
  set: KeypointSet,
  clinical: ClinicalValues,
  options: { image: Radiograph; heatmap?: string; where?: string },
): Promise<RadiographScore> {
  const where = options.where ?? file;
  const params = model.preprocessing;
  if (params.masks) {
    throw new InputError(`${file}: the model was trained on the "${params.variant}" variant with vertebral-body masks, which a new radiograph does not have; not scored`);
  }
  const warnings = model.warnings([clinical], () => where)[0];
  const image = options.image;
  // Before the detector, and for given keypoints too: a blank or turned image has no anatomy to score.
  refuseNotLateralLumbar(file, image);
  const flags = keypointProblems(set, true, image.rows, image.columns);
  if (flags.length > 0) throw new FlaggedRadiograph(file, flags);
  const prepared = preprocessRadiographs([image], [set.keypoints], params);
  // The variant folders hold k / 255 as uint8 k; the model reads that form.
  const bytes = Uint8Array.from(prepared.tensor, (v) => Math.round(v * 255));
  const images = tensor(bytes, prepared.shape, { dtype: 'uint8' });
  try {
    const risk = model.score(images, [clinical], () => where)[0];
    const surv: Record<string, number> = {};
    for (const t of SURVIVAL_YEARS) surv[String(t)] = model.survival(risk, t);
    if (options.heatmap !== undefined) {
      const cam = gradCam(model, images, clinical);
      const heat = warpHeatmapBack(cam.maps, cam.size, prepared.transforms[0], image.rows, image.columns);
      writeFileAtomic(options.heatmap, heatmapOverlayPng(windowToBytes(image.pixels, image.window), image.columns, image.rows, heat));
    }
    return { risk, surv, percentile: model.percentile(risk), keypoints: Array.from(set.keypoints), warnings };
  } finally {
    images.dispose();
  }
}
