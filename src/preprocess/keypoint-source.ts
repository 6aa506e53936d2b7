/**
 * Keypoints come either as a COCO keypoints file (the cohort's keypoints.json: images, annotations,
 * categories) or as the COCO results list of `spinesurv landmarks predict` ([{image_id, file_name,
 * category_id, keypoints, score, flags}]). Both are read into one entry per image file, in COCO pixel
 * coordinates (the centre of the top-left pixel at 0.5, 0.5). A file whose info.coordinates says the
 * centre of the top-left pixel is (0, 0) (the synthetic cohort's keypoints.json) is shifted by half a
 * pixel onto that convention.
 */
import { createHash } from 'node:crypto';
import { posix, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { readInputFile } from '../util/csv.js';
import { VERTEBRAE } from './params.js';

export interface KeypointEntry {
  imageId: number;
  fileName: string;
  /** x1, y1, ..., x5, y5 (COCO convention); NaN for a keypoint marked not labelled (v = 0). */
  keypoints: Float64Array | null;
  /** Why this image cannot be used (flagged, malformed), or null. */
  problem: string | null;
}

export interface KeypointSource {
  path: string;
  sha256: string;
  format: 'coco-keypoints' | 'coco-results';
  /** Added to every coordinate to reach the COCO convention (0.5 or 0). */
  shift: number;
  entries: KeypointEntry[];
  /** Finds the entry of a cohort image (its cohort.csv `image` value). */
  lookup(image: string, cohortDir: string): KeypointEntry | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function normaliseImagePath(p: string): string {
  return posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '');
}

function parseKeypoints(raw: unknown, shift: number, where: string): { keypoints: Float64Array | null; problem: string | null } {
  if (!Array.isArray(raw) || raw.length !== 15 || !raw.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { keypoints: null, problem: `${where}: keypoints must be 15 numbers (x, y, v for L1..L5)` };
  }
  const kp = new Float64Array(10);
  const missing: string[] = [];
  for (let k = 0; k < 5; k++) {
    const [x, y, v] = [raw[3 * k], raw[3 * k + 1], raw[3 * k + 2]] as number[];
    if (v === 0) {
      missing.push(VERTEBRAE[k]);
      kp[2 * k] = kp[2 * k + 1] = Number.NaN;
    } else {
      kp[2 * k] = x + shift;
      kp[2 * k + 1] = y + shift;
    }
  }
  return { keypoints: kp, problem: missing.length > 0 ? `keypoint${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing` : null };
}

function fromCocoFile(doc: Record<string, unknown>, path: string): { entries: KeypointEntry[]; shift: number } {
  const { images, annotations, categories } = doc;
  if (!Array.isArray(images) || !Array.isArray(annotations) || !Array.isArray(categories)) {
    throw new InputError(`${path}: a COCO keypoints file needs "images", "annotations" and "categories" arrays`);
  }
  const info = isObject(doc.info) ? doc.info : {};
  const coordinates = typeof info.coordinates === 'string' ? info.coordinates : '';
  const shift = /top-left pixel is \(0, ?0\)/.test(coordinates) ? 0.5 : 0;
  const category = categories.find((c) => isObject(c) && Array.isArray(c.keypoints)) as Record<string, unknown> | undefined;
  if (category === undefined) throw new InputError(`${path}: no category with keypoints`);
  const names = (category.keypoints as unknown[]).map(String);
  if (names.join(',') !== VERTEBRAE.join(',')) {
    throw new InputError(`${path}: category "${String(category.name)}" has keypoints ${names.join(', ')}; expected ${VERTEBRAE.join(', ')}`);
  }
  const byImage = new Map<number, Record<string, unknown>[]>();
  annotations.forEach((a, i) => {
    if (!isObject(a) || typeof a.image_id !== 'number') throw new InputError(`${path}: annotations[${i}] has no numeric image_id`);
    if (a.category_id !== category.id) return;
    byImage.set(a.image_id, [...(byImage.get(a.image_id) ?? []), a]);
  });
  const entries = images.map((img, i): KeypointEntry => {
    if (!isObject(img) || typeof img.id !== 'number' || typeof img.file_name !== 'string') {
      throw new InputError(`${path}: images[${i}] needs a numeric "id" and a "file_name"`);
    }
    const anns = byImage.get(img.id) ?? [];
    if (anns.length === 0) return { imageId: img.id, fileName: img.file_name, keypoints: null, problem: 'no keypoint annotation for this image' };
    if (anns.length > 1) return { imageId: img.id, fileName: img.file_name, keypoints: null, problem: `${anns.length} keypoint annotations for this image` };
    return { imageId: img.id, fileName: img.file_name, ...parseKeypoints(anns[0].keypoints, shift, `image_id ${img.id}`) };
  });
  return { entries, shift };
}

function fromResults(list: unknown[], path: string): KeypointEntry[] {
  return list.map((r, i): KeypointEntry => {
    if (!isObject(r) || typeof r.image_id !== 'number' || typeof r.file_name !== 'string') {
      throw new InputError(`${path}: entry ${i} needs a numeric "image_id" and a "file_name"`);
    }
    const flags = Array.isArray(r.flags) ? r.flags.map(String) : [];
    if (r.flags !== undefined && !Array.isArray(r.flags)) throw new InputError(`${path}: entry ${i}: "flags" must be an array`);
    const parsed = parseKeypoints(r.keypoints, 0, `image_id ${r.image_id}`);
    const problem = flags.length > 0 ? `flagged by the keypoint detector: ${flags.join(', ')}` : parsed.problem;
    return { imageId: r.image_id, fileName: r.file_name, keypoints: parsed.keypoints, problem };
  });
}

export function readKeypointSource(path: string): KeypointSource {
  const bytes = readInputFile(path);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  let entries: KeypointEntry[];
  let shift = 0;
  let format: KeypointSource['format'];
  if (Array.isArray(doc)) {
    format = 'coco-results';
    entries = fromResults(doc, path);
  } else if (isObject(doc)) {
    format = 'coco-keypoints';
    ({ entries, shift } = fromCocoFile(doc, path));
  } else {
    throw new InputError(`${path}: expected a COCO keypoints object or a COCO results list`);
  }
  // An image listed twice cannot be trusted either way.
  const byKey = new Map<string, KeypointEntry>();
  const add = (key: string, entry: KeypointEntry): void => {
    const earlier = byKey.get(key);
    if (earlier !== undefined && earlier !== entry) {
      earlier.problem = entry.problem = `listed more than once in ${path}`;
      return;
    }
    byKey.set(key, entry);
  };
  for (const e of entries) add(normaliseImagePath(e.fileName), e);
  let absolutes: Map<string, KeypointEntry> | null = null;
  let absolutesFor = '';
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    format,
    shift,
    entries,
    lookup(image, cohortDir) {
      const direct = byKey.get(normaliseImagePath(image));
      if (direct !== undefined) return direct;
      // A results list made with --images or --list names files as given (absolute, or relative to
      // where it ran): compare absolute paths.
      if (absolutes === null || absolutesFor !== cohortDir) {
        absolutesFor = cohortDir;
        absolutes = new Map();
        for (const e of entries) {
          for (const p of new Set([resolve(e.fileName), resolve(cohortDir, e.fileName)])) absolutes.set(p, e);
        }
      }
      return absolutes.get(resolve(cohortDir, image));
    },
  };
}
