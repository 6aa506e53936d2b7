/**
 * Whether a radiograph says it is something other than a lateral lumbar spine (when its tags are
 * there), so that a chest film or an AP view is refused by name rather than turned into a risk.
 * The keypoints' own plausibility checks are the detector's quality flags (src/landmarks/flags.ts)
 * and the preprocessing's alignment checks (src/preprocess/keypoint-checks.ts).
 */

/** Body Part Examined values that say the image is of the lumbar spine. */
const LUMBAR = /LSPINE|L[- ]?SPINE|LUMB|SPINE|LWS|RACHIS|COLUMN/i;

export function nonLumbarReason(bodyPart: string | null, viewPosition: string | null): string | null {
  if (bodyPart !== null && bodyPart.trim() !== '' && !LUMBAR.test(bodyPart)) return `Body Part Examined is "${bodyPart}", not the lumbar spine`;
  if (viewPosition !== null && /^(AP|PA)$/i.test(viewPosition.trim())) return `View Position is "${viewPosition}", not lateral`;
  return null;
}
