/**
 * Scoring predicted L1-L5 keypoints against the truth: OKS-AP (pycocotools' way, oks-ap.ts) at the
 * documented sigmas and object area, plus the clinical reading: mean radial error in millimetres per
 * vertebra, the share of points within 2 mm and 4 mm (SDR), and the images with the largest errors.
 */
import { KEYPOINT_NAMES } from '../keypoints/index.js';
import { oksAp } from './oks-ap.js';
import { mean } from '../stats/descriptive.js';
import { radialErrorsMm, summarisePerVertebra } from './radial-error.js';

/**
 * OKS constant per keypoint. A vertebral body centre is the centre of a large bony structure, not a
 * sharp point, so it is given COCO's hip sigma (0.107, the COCO keypoint most like it: the centre of
 * a joint inside a large body); see docs/landmarks.md.
 */
export const DEFAULT_SIGMAS = [0.107, 0.107, 0.107, 0.107, 0.107];
/** The stricter reading reported beside it: COCO's smallest sigma (eyes, 0.025). */
export const STRICT_SIGMAS = [0.025, 0.025, 0.025, 0.025, 0.025];
export const AREA_CHOICE = 'the L1-L5 vertebral body mask area in pixels of the original image (keypoints.json "area")';

export interface EvaluatedImage {
  imageId: number;
  /** x1, y1, ... (COCO pixel convention). */
  keypoints: ArrayLike<number>;
  score: number;
}

export interface TruthForEvaluation {
  imageId: number;
  /** x1, y1, v1, ... */
  keypoints: ArrayLike<number>;
  area: number;
}

export interface EvaluateOptions {
  sigmas?: number[];
  /** Also report AP at these sigmas (default STRICT_SIGMAS). */
  strictSigmas?: number[];
  /** How many of the worst images to list. */
  worst?: number;
  /** Stride of the predicted keypoints: 3 for COCO results (x, y, v), 2 for (x, y). */
  predStride?: number;
}

export interface KeypointEvaluation {
  ap: number;
  ap50: number;
  ap75: number;
  ap_strict: { ap: number; ap50: number; ap75: number; sigmas: number[] };
  mre_mm: number;
  sdr_2mm: number;
  sdr_4mm: number;
  per_vertebra: Record<string, { mre_mm: number; sd_mm: number; sdr_2mm: number; sdr_4mm: number; max_mm: number }>;
  worst_images: { image_id: number; mre_mm: number }[];
  images: number;
  missing_predictions: number[];
  sigmas: number[];
  area: string;
}

/**
 * `spacingByImage`: [row, column] mm per pixel for each image id. Every truth image must have a
 * prediction (a missing one counts as a miss in AP and is listed; it has no radial error).
 */
export function evaluateKeypoints(
  pred: EvaluatedImage[], truth: TruthForEvaluation[], spacingByImage: Map<number, [number, number]>, options: EvaluateOptions = {},
): KeypointEvaluation {
  const sigmas = options.sigmas ?? DEFAULT_SIGMAS;
  const strictSigmas = options.strictSigmas ?? STRICT_SIGMAS;
  const stride = options.predStride ?? 3;
  const gts = truth.map((t) => ({ imageId: t.imageId, keypoints: t.keypoints, area: t.area }));
  const dts = pred.map((p) => ({ imageId: p.imageId, keypoints: p.keypoints, score: p.score }));
  const main = oksAp(gts, dts, sigmas, stride);
  const strict = oksAp(gts, dts, strictSigmas, stride);
  const predBy = new Map(pred.map((p) => [p.imageId, p]));
  const errors: number[][] = KEYPOINT_NAMES.map(() => []);
  const perImage: { image_id: number; mre_mm: number }[] = [];
  const missing: number[] = [];
  for (const t of truth) {
    const p = predBy.get(t.imageId);
    if (p === undefined) {
      missing.push(t.imageId);
      continue;
    }
    const spacing = spacingByImage.get(t.imageId);
    if (spacing === undefined) throw new Error(`no pixel spacing for image ${t.imageId}`);
    const own = radialErrorsMm(p.keypoints, t.keypoints, spacing, stride, 3);
    own.forEach((e, k) => errors[k]!.push(e));
    perImage.push({ image_id: t.imageId, mre_mm: mean(own) });
  }
  const { perVertebra, all } = summarisePerVertebra(errors);
  perImage.sort((a, b) => b.mre_mm - a.mre_mm || a.image_id - b.image_id);
  return {
    ap: main.ap, ap50: main.ap50, ap75: main.ap75,
    ap_strict: { ap: strict.ap, ap50: strict.ap50, ap75: strict.ap75, sigmas: strictSigmas },
    mre_mm: all.mre_mm, sdr_2mm: all.sdr_2mm, sdr_4mm: all.sdr_4mm,
    per_vertebra: perVertebra,
    worst_images: perImage.slice(0, options.worst ?? 5),
    images: perImage.length,
    missing_predictions: missing,
    sigmas, area: AREA_CHOICE,
  };
}
