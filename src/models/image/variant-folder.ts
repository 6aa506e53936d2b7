/**
 * Reads a variant folder written by `spinesurv preprocess` (docs/preprocess.md), the input of image
 * model training:
 *   images.safetensors  uint8 tensor "images" [N, C, S, S], value/255 in [0, 1]; C = 1 for the full
 *                       variants, C = 5 for patches (channel k = vertebra L(k+1))
 *   index.json          {"variant", "masks", "size", "channels", "rows": [{"image_id", "file_name"}]}
 *                       (file_name = the cohort.csv `image` value, by which rows are joined)
 *   transforms.json     {"<image_id>": {"file_name", "matrix"} or {"file_name", "patches": [{"vertebra", "matrix"}]}}
 *   manifest.json       inputs, parameters (the PreprocessParams the model stores and predict re-applies),
 *                       the patients left out and why
 * Reading checks every field the models rely on and names the file at fault.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, type Tensor } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { channelCount, checkParams, outputSide, type PreprocessParams, type Transform } from '../../preprocess/index.js';

export interface VariantIndex {
  variant: string;
  masks: boolean;
  size: number;
  channels: number;
  rows: { image_id: number; file_name: string }[];
}

export type ImageTransform = { file_name: string } & Transform;

export interface VariantFolder {
  dir: string;
  index: VariantIndex;
  /** uint8 [N, C, S, S] (the caller disposes it). */
  images: Tensor;
  transforms: Record<string, ImageTransform>;
  manifest: Record<string, unknown>;
  /** The preprocessing that made the images (manifest.json "parameters"), checked against index.json. */
  params: PreprocessParams;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function checkIndex(path: string, j: unknown): VariantIndex {
  const i = j as VariantIndex;
  const bad = (what: string): never => {
    throw new InputError(`${path}: ${what}`);
  };
  if (typeof i !== 'object' || i === null) bad('not a JSON object');
  if (typeof i.variant !== 'string') bad('"variant" must be a string');
  if (typeof i.masks !== 'boolean') bad('"masks" must be true or false');
  if (!Number.isInteger(i.size) || i.size < 8) bad('"size" must be an integer >= 8');
  if (i.channels !== 1 && i.channels !== 5) bad('"channels" must be 1 or 5');
  if (!Array.isArray(i.rows)) bad('"rows" must be a list');
  i.rows.forEach((r, k) => {
    if (typeof r?.file_name !== 'string' || !Number.isFinite(r?.image_id)) bad(`rows[${k}] needs "image_id" and "file_name"`);
  });
  return i;
}

/**
 * The preprocessing parameters of a variant (or of an image model: the same object), checked so that
 * `predict` can re-apply them; throws InputError naming `path`.
 */
export function checkPreprocessParams(path: string, raw: unknown): PreprocessParams {
  const p = raw as PreprocessParams;
  if (typeof p !== 'object' || p === null || typeof p.variant !== 'string') {
    throw new InputError(`${path}: no preprocessing parameters (a variant folder written by \`spinesurv preprocess\` has them under "parameters")`);
  }
  if (typeof p.masks !== 'boolean' || !Array.isArray(p.percentiles) || p.percentiles.length !== 2) {
    throw new InputError(`${path}: preprocessing parameters are incomplete (masks, percentiles)`);
  }
  try {
    checkParams(p);
  } catch (error) {
    throw new InputError(`${path}: preprocessing parameters are invalid: ${(error as Error).message}`);
  }
  return p;
}

export function readVariantFolder(dir: string): VariantFolder {
  const indexPath = join(dir, 'index.json');
  const index = checkIndex(indexPath, readJson(indexPath));
  const transforms = readJson(join(dir, 'transforms.json')) as Record<string, ImageTransform>;
  const manifestPath = join(dir, 'manifest.json');
  const manifest = readJson(manifestPath) as Record<string, unknown>;
  const params = checkPreprocessParams(manifestPath, manifest?.parameters);
  if (params.variant !== index.variant || params.masks !== index.masks || outputSide(params) !== index.size || channelCount(params.variant) !== index.channels) {
    throw new InputError(`${manifestPath}: parameters (${params.variant}${params.masks ? ' with masks' : ''}, ${outputSide(params)} px) do not match index.json (${index.variant}${index.masks ? ' with masks' : ''}, ${index.size} px)`);
  }
  const imagesPath = join(dir, 'images.safetensors');
  let bytes: Buffer;
  try {
    bytes = readFileSync(imagesPath);
  } catch (error) {
    throw new InputError(`${imagesPath}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const content = decodeSafetensors(bytes, imagesPath);
  const images = content.tensors.get('images');
  for (const [name, t] of content.tensors) if (name !== 'images') t.dispose();
  if (images === undefined) throw new InputError(`${imagesPath}: no tensor "images"`);
  const want = [index.rows.length, index.channels, index.size, index.size];
  if (images.dtype !== 'uint8' || images.shape.join('x') !== want.join('x')) {
    const got = `${images.dtype} [${images.shape.join(', ')}]`;
    images.dispose();
    throw new InputError(`${imagesPath}: "images" is ${got}, index.json says uint8 [${want.join(', ')}]`);
  }
  return { dir, index, images, transforms, manifest, params };
}
