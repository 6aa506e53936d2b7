/**
 * The server core keeps a scored image as a ServedImage (src/serve/backend.ts); this turns one into
 * the result that goes back to the PACS. The keypoints are the ones the score was made with: the
 * clinician's correction when there is one, the detector's otherwise.
 */
import type { ServedImage } from '../backend.js';
import type { PacsResult } from './pacs-result.js';

/** Null when the image has no score to send (not scored yet, flagged or failed). */
export function pacsResultFromServedImage(image: ServedImage): PacsResult | null {
  const keypoints = image.correctedKeypoints?.keypoints ?? image.predictedKeypoints;
  if (image.status !== 'scored' || image.risk === null || image.surv === null || image.percentile === null
    || keypoints === null || image.modelVersion === null || image.scoredAt === null) return null;
  return {
    risk: image.risk,
    surv: image.surv,
    percentile: image.percentile,
    keypoints,
    flags: image.flags,
    warnings: image.warnings,
    modelVersion: image.modelVersion,
    scoredAt: image.scoredAt,
  };
}
