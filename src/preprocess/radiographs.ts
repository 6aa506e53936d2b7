/**
 * The library entry point for new radiographs (`spinesurv predict`, the DICOM server): the same
 * alignment, cut and normalisation as the cohort run, for images already in memory.
 */
import { InputError } from '../util/errors.js';
import type { Radiograph } from '../imaging/index.js';
import { channelCount, outputSide, type PreprocessParams } from './params.js';
import { checkKeypoints } from './keypoint-checks.js';
import { renderBatch } from './render.js';
import type { Transform } from './transform.js';

export interface PreprocessOptions {
  /** 'cpu' (default) or a CUDA device when the engine has one. */
  device?: string;
  /** Radiographs per engine call. */
  batchSize?: number;
}

export interface PreprocessedBatch {
  /** [N, C, S, S] row-major, values k / 255 in [0, 1]. */
  tensor: Float32Array;
  shape: [number, number, number, number];
  transforms: Transform[];
}

/**
 * Aligns and cuts `images` as `params` says. keypoints[i] holds x1, y1, ..., x5, y5 (L1..L5) in the
 * image's pixel coordinates, COCO convention (the centre of the top-left pixel at 0.5, 0.5). masks[i]
 * (label maps, 0 background, 1..5 = L1..L5, same size as the image) are needed when params.masks.
 * Throws InputError naming the image when its keypoints are missing or out of order.
 */
export function preprocessRadiographs(
  images: Pick<Radiograph, 'pixels' | 'rows' | 'columns'>[],
  keypoints: ArrayLike<number>[],
  params: PreprocessParams,
  masks?: (Uint8Array | null)[],
  options: PreprocessOptions = {},
): PreprocessedBatch {
  if (keypoints.length !== images.length) throw new RangeError(`${images.length} images but ${keypoints.length} keypoint sets`);
  images.forEach((img, i) => {
    const problem = checkKeypoints(keypoints[i], img.rows, img.columns);
    if (problem !== null) throw new InputError(`image ${i + 1}: ${problem}`);
    if (params.masks) {
      const m = masks?.[i];
      if (!m) throw new InputError(`image ${i + 1}: a mask is needed for a "with masks" variant`);
      if (m.length !== img.rows * img.columns) throw new InputError(`image ${i + 1}: mask has ${m.length} pixels, image ${img.rows}x${img.columns}`);
    }
  });
  const S = outputSide(params);
  const C = channelCount(params.variant);
  const plane = C * S * S;
  const tensor = new Float32Array(images.length * plane);
  const transforms: Transform[] = [];
  const batchSize = Math.max(1, options.batchSize ?? 4);
  for (let start = 0; start < images.length; start += batchSize) {
    const end = Math.min(images.length, start + batchSize);
    const batch = images.slice(start, end).map((img, j) => ({ ...img, labels: params.masks ? masks?.[start + j] ?? null : null }));
    const [rendered] = renderBatch(batch, keypoints.slice(start, end), [params], options.device);
    rendered.images.forEach((bytes, j) => {
      const base = (start + j) * plane;
      for (let i = 0; i < bytes.length; i++) tensor[base + i] = bytes[i] / 255;
    });
    transforms.push(...rendered.transforms);
  }
  return { tensor, shape: [images.length, C, S, S], transforms };
}
