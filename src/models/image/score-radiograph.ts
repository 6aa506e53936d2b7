/**
 * Scores one new radiograph with an image model: read the file, take its L1..L5 keypoints, refuse
 * a flagged or implausible set (and a radiograph that says it is not a lateral lumbar spine), cut
 * the model's input the way its training input was cut, and return the log hazard ratio, survival
 * at 1, 3 and 5 years, the percentile among the training patients, and any warnings (clinical
 * values outside the training ranges). With `heatmap`, also the Grad-CAM overlay as a PNG.
 *
 * Keypoints come from the caller (a `landmarks predict` result) until the keypoint detector is on
 * main; the model folder keeps a copy of the detector it was trained with for that step.
 */
import { readRadiograph, windowToBytes, type Radiograph } from '../../imaging/index.js';
import { tensor } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { cutPatches, INTERIM_PATCHES, type PatchParameters } from './interim-patches.js';
import { keypointFlags, nonLumbarReason } from './quality.js';
import { gradCam, heatmapOnImage, overlayPng } from './gradcam.js';
import type { ClinicalValues } from './clinical.js';
import type { ImageModel } from './model.js';

export interface RadiographScore {
  risk: number;
  surv: Record<string, number>;
  percentile: number;
  keypoints: number[];
  flags: string[];
  warnings: string[];
}

export const SURVIVAL_YEARS = [1, 3, 5];

/** The model's patch parameters, or an InputError when it was trained on input this version cannot make. */
export function patchParametersOf(model: ImageModel, source: string): PatchParameters {
  const p = model.preprocessing as Partial<PatchParameters>;
  if (p.method !== INTERIM_PATCHES || typeof p.size !== 'number' || typeof p.sideFactor !== 'number') {
    throw new InputError(`${source}: the model was trained on "${model.input.variant}" input made by ${String(p.method ?? 'an unknown method')}; this version can cut only interim patches for a new radiograph`);
  }
  return p as PatchParameters;
}

export class FlaggedRadiograph extends InputError {
  constructor(readonly file: string, readonly flags: string[]) {
    super(`${file}: keypoints flagged (${flags.join(', ')}); not scored`);
  }
}

export async function scoreRadiograph(
  model: ImageModel,
  file: string,
  keypoints: { keypoints: number[]; flags: string[] },
  clinical: ClinicalValues,
  options: { heatmap?: string; image?: Radiograph; where?: string } = {},
): Promise<RadiographScore> {
  const where = options.where ?? file;
  const params = patchParametersOf(model, where);
  const warnings = model.warnings([clinical], () => where)[0];
  const image = options.image ?? (await readRadiograph(file));
  const notLumbar = nonLumbarReason(image.bodyPart, image.viewPosition);
  if (notLumbar !== null) throw new InputError(`${file}: ${notLumbar}; not scored`);
  const flags = [...keypoints.flags, ...keypointFlags(keypoints.keypoints, image.rows, image.columns)];
  if (flags.length > 0) throw new FlaggedRadiograph(file, flags);
  const cut = cutPatches(image, keypoints.keypoints, params, file);
  const images = tensor(cut.pixels, [1, 5, params.size, params.size], { dtype: 'uint8' });
  try {
    const risk = model.score(images, [clinical], () => where)[0];
    const surv: Record<string, number> = {};
    for (const t of SURVIVAL_YEARS) surv[String(t)] = model.survival(risk, t);
    if (options.heatmap !== undefined) {
      const cam = gradCam(model, images, clinical);
      const heat = heatmapOnImage(cam.maps, cam.channels, cam.size, cut.transforms, image.rows, image.columns);
      writeFileAtomic(options.heatmap, await overlayPng(windowToBytes(image.pixels, image.window), heat, image.rows, image.columns));
    }
    return { risk, surv, percentile: model.percentile(risk), keypoints: Array.from(keypoints.keypoints), flags: [], warnings };
  } finally {
    images.dispose();
  }
}
