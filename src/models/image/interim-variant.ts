/**
 * INTERIM (until `spinesurv preprocess` lands on main): a patch variant folder for a whole cohort,
 * cut by interim-patches.ts around the keypoints of a COCO keypoints file (the cohort's own
 * annotations) or a `landmarks predict` results list. Rows follow the keypoint file's images; a
 * radiograph without keypoints, or whose keypoints are flagged, is left out and named in the
 * manifest by its row number only (no patient identifiers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRadiograph } from '../../imaging/index.js';
import { InputError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { toolVersion } from '../../util/tool-version.js';
import { cutPatches, type PatchParameters } from './interim-patches.js';
import { writeVariantFolder, type ImageTransform } from './variant-folder.js';

export interface KeypointEntry {
  image_id: number;
  file_name: string;
  keypoints: number[];
  flags: string[];
}

/** Keypoints per image from a COCO keypoints file or a results list (CLI.md, landmarks predict). */
export function readKeypointEntries(path: string): KeypointEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: cannot read keypoints (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const strip = (k: number[]): number[] => [0, 1, 2, 3, 4].flatMap((i) => [k[3 * i], k[3 * i + 1]]);
  if (Array.isArray(json)) {
    return json.map((e: { image_id: number; file_name: string; keypoints: number[]; flags?: string[] }, i) => {
      if (!Array.isArray(e?.keypoints) || e.keypoints.length !== 15 || typeof e.file_name !== 'string') throw new InputError(`${path}: entry ${i} needs file_name and 15 keypoint values`);
      return { image_id: e.image_id, file_name: e.file_name, keypoints: strip(e.keypoints), flags: e.flags ?? [] };
    });
  }
  const coco = json as { images?: { id: number; file_name: string }[]; annotations?: { image_id: number; keypoints: number[] }[] };
  if (!Array.isArray(coco?.images) || !Array.isArray(coco.annotations)) throw new InputError(`${path}: neither a COCO keypoints file (images, annotations) nor a results list`);
  const byImage = new Map<number, number[]>();
  coco.annotations.forEach((a, i) => {
    if (!Array.isArray(a?.keypoints) || a.keypoints.length !== 15) throw new InputError(`${path}: annotation ${i} needs 15 keypoint values`);
    byImage.set(a.image_id, a.keypoints);
  });
  return coco.images.flatMap((im) => {
    const k = byImage.get(im.id);
    return k === undefined ? [] : [{ image_id: im.id, file_name: im.file_name, keypoints: strip(k), flags: [] }];
  });
}

export async function makeInterimPatchVariant(options: {
  cohortDir: string;
  keypoints: string;
  out: string;
  params: PatchParameters;
  /** Only these file_names (e.g. one split); all when absent. */
  only?: Set<string>;
  force?: boolean;
}): Promise<{ rows: number; leftOut: number }> {
  const entries = readKeypointEntries(options.keypoints).filter((e) => options.only === undefined || options.only.has(e.file_name));
  const S = options.params.size;
  const kept: KeypointEntry[] = [];
  const leftOut: { row: number; reason: string }[] = [];
  const chunks: Uint8Array[] = [];
  const transforms: Record<string, ImageTransform> = {};
  const bar = progress('cutting patches', entries.length);
  for (const [i, e] of entries.entries()) {
    bar.tick(i + 1);
    if (e.flags.length > 0) {
      leftOut.push({ row: i + 1, reason: `keypoints flagged: ${e.flags.join(', ')}` });
      continue;
    }
    const file = join(options.cohortDir, e.file_name);
    const image = await readRadiograph(file);
    const cut = cutPatches(image, e.keypoints, options.params, file);
    chunks.push(cut.pixels);
    kept.push(e);
    transforms[String(e.image_id)] = { file_name: e.file_name, patches: cut.transforms.map((matrix, k) => ({ vertebra: `L${k + 1}`, matrix })) };
  }
  bar.done();
  const pixels = new Uint8Array(kept.length * 5 * S * S);
  chunks.forEach((c, k) => pixels.set(c, k * c.length));
  await writeVariantFolder(options.out, {
    index: { variant: 'patches', masks: false, size: S, channels: 5, rows: kept.map((e) => ({ image_id: e.image_id, file_name: e.file_name })) },
    pixels,
    transforms,
    manifest: {
      tool: { name: 'spinesurv', version: toolVersion() },
      command: 'interim patch cutter (src/models/image/interim-variant.ts)',
      inputs: { cohort: options.cohortDir, keypoints: options.keypoints },
      parameters: options.params,
      left_out: leftOut,
    },
  }, { force: options.force, createdBy: 'spinesurv interim patches' });
  return { rows: kept.length, leftOut: leftOut.length };
}
