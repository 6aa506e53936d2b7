/**
 * A preprocessed variant folder, the input of image model training and scoring (CLI.md, preprocess):
 *   images.safetensors  uint8 tensor "images" [N, C, S, S], value/255 in [0, 1]; C = 1 for the full
 *                       variants, C = 5 for patches (channel k = vertebra L(k+1))
 *   index.json          {"variant", "masks", "size", "channels", "rows": [{"image_id", "file_name"}]}
 *                       (file_name = the cohort.csv `image` value, by which rows are joined)
 *   transforms.json     {"<image_id>": {"file_name", "matrix"} or {"file_name", "patches": [{"vertebra", "matrix"}]}}
 *   manifest.json       inputs, parameters, the patients left out and why
 * Reading checks every field the models rely on and names the file at fault.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, tensor, type Tensor } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { writeDirAtomic } from '../../util/atomic-write.js';

export type Affine = [[number, number, number], [number, number, number]];

export interface VariantIndex {
  variant: string;
  masks: boolean;
  size: number;
  channels: number;
  rows: { image_id: number; file_name: string }[];
}

export type ImageTransform =
  | { file_name: string; matrix: Affine }
  | { file_name: string; patches: { vertebra: string; matrix: Affine }[] };

export interface VariantFolder {
  dir: string;
  index: VariantIndex;
  /** uint8 [N, C, S, S] (the caller disposes it). */
  images: Tensor;
  transforms: Record<string, ImageTransform>;
  manifest: Record<string, unknown>;
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

export function readVariantFolder(dir: string): VariantFolder {
  const indexPath = join(dir, 'index.json');
  const index = checkIndex(indexPath, readJson(indexPath));
  const transforms = readJson(join(dir, 'transforms.json')) as Record<string, ImageTransform>;
  const manifest = readJson(join(dir, 'manifest.json')) as Record<string, unknown>;
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
  return { dir, index, images, transforms, manifest };
}

/** Writes a variant folder (used by the interim patch cutter; preprocess writes its own). */
export async function writeVariantFolder(
  dir: string,
  content: { index: VariantIndex; pixels: Uint8Array; transforms: Record<string, ImageTransform>; manifest: Record<string, unknown> },
  options: { force?: boolean; createdBy?: string } = {},
): Promise<void> {
  const { index, pixels } = content;
  const shape = [index.rows.length, index.channels, index.size, index.size];
  if (pixels.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError(`pixels has ${pixels.length} values for [${shape.join(', ')}]`);
  await writeDirAtomic(dir, (tmp) => {
    const images = tensor(pixels, shape, { dtype: 'uint8' });
    try {
      writeFileSync(join(tmp, 'images.safetensors'), encodeSafetensors({ images }));
    } finally {
      images.dispose();
    }
    writeFileSync(join(tmp, 'index.json'), JSON.stringify(index) + '\n');
    writeFileSync(join(tmp, 'transforms.json'), JSON.stringify(content.transforms) + '\n');
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(content.manifest, null, 2) + '\n');
  }, options);
}
