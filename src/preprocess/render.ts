/**
 * One batch of radiographs into one or more variants at once: each radiograph is sampled once per
 * geometry (a variant and its "with masks" twin share one sampling), then normalised, masked and
 * quantised per variant.
 */
import { checkParams, outputSide, type PreprocessParams } from './params.js';
import { outputLayout, type OutputLayout } from './geometry.js';
import { sampleBatch, type SampleImage } from './sample.js';
import { intensityRange, toBytes } from './normalise.js';
import { transformFromMatrices, type Transform } from './transform.js';

export interface RenderedVariant {
  /** One uint8 image per radiograph, [C, S, S] row-major. */
  images: Uint8Array[];
  transforms: Transform[];
}

/** Parameters that change the sampled pixels (everything but the mask). */
function geometryKey(p: PreprocessParams): string {
  return JSON.stringify({ ...p, masks: false });
}

/**
 * Renders `batch` (keypoints: x1, y1, ..., x5, y5 in COCO pixels, per image) for every parameter set
 * in `variants`. Images need `labels` when a variant has masks.
 */
export function renderBatch(batch: SampleImage[], keypoints: ArrayLike<number>[], variants: PreprocessParams[], device = 'cpu'): RenderedVariant[] {
  if (keypoints.length !== batch.length) throw new RangeError(`${batch.length} images but ${keypoints.length} keypoint sets`);
  variants.forEach(checkParams);
  const geometries = new Map<string, number>();
  const geometryParams: PreprocessParams[] = [];
  const needsLabels: boolean[] = [];
  for (const p of variants) {
    const key = geometryKey(p);
    if (!geometries.has(key)) {
      geometries.set(key, geometryParams.length);
      geometryParams.push(p);
      needsLabels.push(false);
    }
    if (p.masks) needsLabels[geometries.get(key) as number] = true;
  }
  const layouts: OutputLayout[][] = geometryParams.map((p) => keypoints.map((kp) => outputLayout(kp, p)));
  const sampled = sampleBatch(batch, layouts, needsLabels, device);
  const ranges = geometryParams.map((p, g) => sampled[g].map((s, i) => intensityRange(s, layouts[g][i], batch[i].rows, batch[i].columns, p)));
  return variants.map((p) => {
    const g = geometries.get(geometryKey(p)) as number;
    const side = outputSide(p);
    return {
      images: ranges[g].map((range, i) => toBytes(sampled[g][i], range, side, p.masks ? layouts[g][i].maskLabels : null)),
      transforms: layouts[g].map((l) => transformFromMatrices(l.matrices)),
    };
  });
}
