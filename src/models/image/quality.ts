/**
 * Whether a radiograph can be a lateral lumbar spine at all, before its keypoints are looked for: what
 * its tags say (body part, view, modality, orientation, when they are there) and what its pixels
 * allow (src/imaging/radiograph-checks.ts). The one check that `predict --image`, `score` and `serve`
 * share, so that a chest film, a CT slice or a blank frame is refused by name rather than turned into
 * a risk, whatever the detector's weights would make of it. The keypoints' own plausibility checks
 * are the detector's quality flags (src/landmarks/flags.ts) and the preprocessing's alignment checks
 * (src/preprocess/keypoint-checks.ts).
 */
import type { Radiograph } from '../../imaging/index.js';
import { radiographPixelProblems } from '../../imaging/radiograph-checks.js';

/** Body Part Examined values that say the image is of the lumbar spine. */
const LUMBAR = /LSPINE|L[- ]?SPINE|LUMB|SPINE|LWS|RACHIS|COLUMN/i;

/**
 * Modalities (0008,0060) that hold projection radiographs: computed and digital radiography, the
 * retired RG, fluoroscopy spot films, and the generic OT and SC that scanned or converted films carry.
 * Anything else (CT, MR, PT, NM, US, MG, ...) is some other kind of image.
 */
const RADIOGRAPHY = new Set(['CR', 'DX', 'DR', 'RG', 'RF', 'OT', 'SC']);

export function nonLumbarReason(bodyPart: string | null, viewPosition: string | null): string | null {
  if (bodyPart !== null && bodyPart.trim() !== '' && !LUMBAR.test(bodyPart)) return `Body Part Examined is "${bodyPart}", not the lumbar spine`;
  if (viewPosition !== null && /^(AP|PA)$/i.test(viewPosition.trim())) return `View Position is "${viewPosition}", not lateral`;
  return null;
}

export function nonRadiographModality(modality: string | null): string | null {
  if (modality === null || modality.trim() === '' || RADIOGRAPHY.has(modality.trim().toUpperCase())) return null;
  return `Modality is "${modality.trim()}", not a projection radiograph (${[...RADIOGRAPHY].join(', ')})`;
}

/**
 * Patient Orientation (0020,0020) gives the patient directions along the rows (left to right) and
 * down the columns. Upright, the feet are down the columns; H or F along the rows means the spine runs
 * across the image, H down the columns that it stands on its head.
 */
export function turnedOrientation(orientation: string[] | null): string | null {
  if (orientation === null || orientation.length !== 2 || !orientation.every((v) => /^[APRLHF]+$/i.test(v))) return null;
  const [across, down] = orientation.map((v) => v.toUpperCase());
  if (/[HF]/.test(across)) return `Patient Orientation is ${orientation.join('\\')}: the head-foot axis runs across the image (turned 90°)`;
  if (down.includes('H')) return `Patient Orientation is ${orientation.join('\\')}: the head is at the bottom (upside down)`;
  return null;
}

const seen = new WeakMap<Radiograph, string[]>();

/**
 * Every reason not to look for keypoints on this image, tags first; empty when none applies. Kept per
 * image object, since serve checks before running its detector and scoreRadiograph checks again.
 */
export function refusalReasons(image: Radiograph): string[] {
  const known = seen.get(image);
  if (known !== undefined) return known;
  const reasons = [
    nonLumbarReason(image.bodyPart, image.viewPosition),
    nonRadiographModality(image.modality),
    turnedOrientation(image.patientOrientation),
  ].filter((r): r is string => r !== null);
  reasons.push(...radiographPixelProblems(image));
  seen.set(image, reasons);
  return reasons;
}
