/**
 * A whole cohort into one or all six variants: the cohort's rows in order, each radiograph decoded
 * once (on worker threads) and cut into every requested variant, the tensors streamed to disk, and
 * per variant folder: images.safetensors, index.json, transforms.json, manifest.json and
 * contact-sheet.png. Patients whose keypoints are missing, out of order or flagged, or whose image
 * cannot be read, are left out with the reason in the manifest. The cohort is only read.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { InputError } from '../util/errors.js';
import { checkOutputFolder, refuseOverwritingInput } from '../util/output-folder.js';
import { writeDirAtomic } from '../util/atomic-write.js';
import { toolVersion } from '../util/tool-version.js';
import {
  channelCount, checkParams, defaultParams, outputSide, parseVariantKey,
  type PreprocessParams, type VariantKey,
} from './params.js';
import { KEYPOINT_NAMES, readKeypoints, type KeypointsFile } from '../keypoints/index.js';
import { checkKeypoints } from './keypoint-checks.js';
import { readCohortImageList, type CohortImageList } from './cohort-images.js';
import { decodeInOrder } from './decode-pool.js';
import type { DecodeJob } from './decode.js';
import { renderBatch } from './render.js';
import type { SampleImage } from './sample.js';
import { Uint8TensorWriter } from './tensor-file.js';
import { contactSheet } from './contact-sheet.js';
import type { Transform } from './transform.js';

export interface PreprocessCohortOptions {
  /** The cohort folder (relative image paths and keypoints file_names are relative to it). */
  cohort: string;
  /**
   * The cohort's radiographs as the caller read them (the study passes its one reading through
   * study.json, analysed rows only); default: DIR/cohort.csv's `image` and `mask` columns.
   */
  images?: CohortImageList;
  /** COCO keypoints file or `landmarks predict` results list. */
  keypoints: string;
  out: string;
  /** The variants to write; with `allVariants` each goes to OUT/<key>/, otherwise OUT is the one variant's folder. */
  variants: VariantKey[];
  allVariants?: boolean;
  /** Overrides of the default parameters (variant and masks come from `variants`). */
  params?: Partial<Omit<PreprocessParams, 'variant' | 'masks'>>;
  force?: boolean;
  /** Decoding worker threads (0 decodes on the main thread). */
  workers?: number;
  batchSize?: number;
  device?: string;
  onProgress?: (done: number, total: number) => void;
  /** Recorded in the output folder's marker, e.g. "spinesurv preprocess". */
  createdBy?: string;
}

export interface LeftOut {
  /** Line of the cohort file (the header is line 1). */
  line: number;
  file_name: string;
  image_id: number | null;
  reason: string;
}

export interface PreprocessSummary {
  out: string;
  variants: { key: VariantKey; variant: string; masks: boolean; folder: string; shape: [number, number, number, number] }[];
  patients: number;
  processed: number;
  left_out: LeftOut[];
  masks_available: boolean;
  notes: string[];
  keypoints_format: KeypointsFile['format'];
  parameters: Omit<PreprocessParams, 'variant' | 'masks'>;
}

interface CohortRowPlan {
  line: number;
  image: string;
  imagePath: string;
  maskPath: string | null;
  imageId: number | null;
  keypoints: Float64Array | null;
  problem: string | null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Reads the cohort's radiographs and the keypoints, and decides which variants can be made (masks or not). */
function planCohort(options: PreprocessCohortOptions): {
  rows: CohortRowPlan[];
  source: KeypointsFile;
  cohortFile: string;
  cohortSha256: string;
  variants: VariantKey[];
  masksAvailable: boolean;
  notes: string[];
} {
  const listing = options.images ?? readCohortImageList(options.cohort);
  const file = listing.file;
  const masksAvailable = listing.rows.some((r) => r.maskPath !== null);
  const wantMasks = options.variants.some((k) => parseVariantKey(k).masks);
  const notes: string[] = [];
  let variants = options.variants;
  if (wantMasks && !masksAvailable) {
    if (!options.allVariants) {
      throw new InputError(`${file}: ${listing.maskColumn ? 'has no mask files in its "mask" column' : 'has no "mask" column'}; the "with masks" variants need the cohort's vertebral-body masks`);
    }
    variants = variants.filter((k) => !parseVariantKey(k).masks);
    notes.push(`the cohort has no vertebral-body masks (${listing.maskColumn ? 'the "mask" column is empty' : 'no "mask" column in the cohort file'}): only the three mask-free variants were written`);
  }
  const useMasks = variants.some((k) => parseVariantKey(k).masks);
  if (useMasks) {
    const missing: string[] = [];
    for (const r of listing.rows) {
      if (r.maskPath === null) missing.push(`line ${r.line}: no mask named`);
      else if (!existsSync(r.maskPath)) missing.push(`line ${r.line}: ${r.maskPath} not found`);
    }
    if (missing.length > 0) {
      const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
      throw new InputError(`${file}: mask files missing for the "with masks" variants: ${missing.slice(0, 3).join(', ')}${more}`);
    }
  }
  const source = readKeypoints(options.keypoints);
  const rows = listing.rows.map((r): CohortRowPlan => {
    const base = { line: r.line, image: r.image, imagePath: r.imagePath, maskPath: useMasks ? r.maskPath : null };
    if (r.image === '') return { ...base, imageId: null, keypoints: null, problem: 'no image named in the cohort file' };
    const entry = source.lookup(r.image, options.cohort);
    if (entry === undefined) return { ...base, imageId: null, keypoints: null, problem: `no keypoints for this image in ${options.keypoints}` };
    let problem = entry.problem;
    // Order and completeness can be judged before decoding; the bounds need the image size.
    if (problem === null && entry.keypoints !== null) problem = checkKeypoints(entry.keypoints, Infinity, Infinity);
    return { ...base, imageId: entry.imageId, keypoints: entry.keypoints, problem: problem ?? (entry.keypoints === null ? 'no keypoints' : null) };
  });
  return { rows, source, cohortFile: file, cohortSha256: createHash('sha256').update(readFileSync(file)).digest('hex'), variants, masksAvailable, notes };
}

interface VariantState {
  key: VariantKey;
  params: PreprocessParams;
  folder: string;
  writer: Uint8TensorWriter;
  rows: { image_id: number; file_name: string }[];
  transforms: Record<string, { file_name: string } & Transform>;
  thumbnails: Uint8Array[];
}

export async function preprocessCohort(options: PreprocessCohortOptions): Promise<PreprocessSummary> {
  if (options.variants.length === 0) throw new InputError('preprocess: no variant asked for');
  const createdBy = options.createdBy ?? 'spinesurv preprocess';
  checkOutputFolder(options.out, { force: options.force, createdBy });
  refuseOverwritingInput(options.out, [options.cohort, options.keypoints, options.images?.file ?? join(options.cohort, 'cohort.csv')]);
  if (isInside(options.out, options.cohort)) throw new InputError(`${options.out}: is inside the cohort folder ${options.cohort}, which preprocess never writes to; choose an output folder elsewhere`);
  if (isInside(options.cohort, options.out)) throw new InputError(`${options.out}: holds the cohort folder ${options.cohort}; choose another output folder`);
  const plan = planCohort(options);
  const usable = plan.rows.filter((r) => r.problem === null);
  const base = defaultParams('full-l1l5', options.params ?? {});
  if (options.params?.size !== undefined && options.params.patchSize === undefined) base.patchSize = options.params.size;
  if (base.align === 'rigid' && base.rigidReferenceDistance === null) {
    const lengths = usable.map((r) => Math.hypot((r.keypoints as Float64Array)[8] - (r.keypoints as Float64Array)[0], (r.keypoints as Float64Array)[9] - (r.keypoints as Float64Array)[1]));
    if (lengths.length === 0) throw new InputError(`${options.keypoints}: no usable keypoints to build the rigid scale from`);
    base.rigidReferenceDistance = Math.round(median(lengths) * 100) / 100;
  }
  const paramsOf = (key: VariantKey): PreprocessParams => ({ ...base, ...parseVariantKey(key) });
  plan.variants.forEach((k) => checkParams(paramsOf(k)));
  const { variant: _v, masks: _m, ...shared } = base;
  const leftOut: LeftOut[] = plan.rows
    .filter((r) => r.problem !== null)
    .map((r) => ({ line: r.line, file_name: r.image, image_id: r.imageId, reason: r.problem as string }));
  const imageHashes = new Map<number, { image: string; mask: string | null }>();
  let states: VariantState[] = [];
  const total = plan.rows.length;
  let done = 0;

  await writeDirAtomic(
    options.out,
    async (tmp) => {
      states = plan.variants.map((key) => {
        const params = paramsOf(key);
        const folder = options.allVariants ? join(tmp, key) : tmp;
        mkdirSync(folder, { recursive: true });
        const S = outputSide(params);
        const C = channelCount(params.variant);
        return {
          key,
          params,
          folder,
          writer: new Uint8TensorWriter(join(folder, 'images.safetensors'), 'images', [C, S, S], usable.length, {
            scale: 'value / 255 = normalised intensity in [0, 1]',
            variant: key,
          }),
          rows: [],
          transforms: {},
          thumbnails: [],
        };
      });
      const jobs: DecodeJob[] = usable.map((r, index) => ({ index, imagePath: r.imagePath, maskPath: r.maskPath }));
      const workers = options.workers ?? Math.min(2, availableParallelism());
      const batchSize = Math.max(1, options.batchSize ?? 4);
      let batch: { row: CohortRowPlan; image: SampleImage }[] = [];
      const flush = (): void => {
        if (batch.length === 0) return;
        const rendered = renderBatch(batch.map((b) => b.image), batch.map((b) => b.row.keypoints as Float64Array), states.map((s) => s.params), options.device);
        states.forEach((state, v) => {
          rendered[v].images.forEach((bytes, j) => {
            const row = batch[j].row;
            state.writer.append(bytes);
            state.rows.push({ image_id: row.imageId as number, file_name: row.image });
            state.transforms[String(row.imageId)] = { file_name: row.image, ...rendered[v].transforms[j] };
            if (state.thumbnails.length < 32) state.thumbnails.push(bytes);
          });
        });
        done += batch.length;
        options.onProgress?.(done + leftOut.length, total);
        batch = [];
      };
      options.onProgress?.(leftOut.length, total);
      for await (const result of decodeInOrder(jobs, jobs.length >= 8 ? workers : 0)) {
        const row = usable[result.index];
        if (!result.ok) {
          leftOut.push({ line: row.line, file_name: row.image, image_id: row.imageId, reason: result.reason });
          continue;
        }
        const problem = checkKeypoints(row.keypoints as Float64Array, result.rows, result.columns);
        if (problem !== null) {
          leftOut.push({ line: row.line, file_name: row.image, image_id: row.imageId, reason: problem });
          continue;
        }
        imageHashes.set(row.line, { image: result.sha256, mask: result.maskSha256 });
        batch.push({ row, image: { pixels: result.pixels, rows: result.rows, columns: result.columns, labels: result.labels } });
        if (batch.length >= batchSize) flush();
      }
      flush();
      leftOut.sort((a, b) => a.line - b.line);
      if (states[0].writer.count === 0) {
        states.forEach((s) => s.writer.close());
        const first = leftOut[0];
        throw new InputError(`${options.cohort}: no patient could be preprocessed (${leftOut.length} left out; line ${first?.line}: ${first?.reason})`);
      }
      const processedLines = [...imageHashes.keys()].sort((a, b) => a - b);
      const imageOfLine = new Map(plan.rows.map((r) => [r.line, r.image]));
      const listDigest = (pick: 'image' | 'mask'): string =>
        sha256(processedLines.map((line) => `${imageOfLine.get(line)}\t${imageHashes.get(line)?.[pick]}\n`).join(''));
      const inputs = {
        cohort: { path: options.cohort, file: relative(options.cohort, plan.cohortFile), sha256: plan.cohortSha256 },
        keypoints: { path: options.keypoints, sha256: plan.source.sha256, format: plan.source.format, coordinate_shift_px: plan.source.shift },
        images: { count: processedLines.length, sha256_of_list: listDigest('image'), list_format: 'one line per processed image: <the cohort file\'s image cell>\\t<sha256 of the file>\\n' },
        masks: plan.variants.some((k) => parseVariantKey(k).masks) ? { count: processedLines.length, sha256_of_list: listDigest('mask') } : null,
      };
      for (const state of states) {
        state.writer.close();
        const S = outputSide(state.params);
        const C = channelCount(state.params.variant);
        const channelNames = C === 5 ? [...KEYPOINT_NAMES] : [state.params.variant === 'full-l1l4' ? 'L1-L4' : 'L1-L5'];
        writeFileSync(join(state.folder, 'index.json'), JSON.stringify({
          variant: state.params.variant,
          masks: state.params.masks,
          size: S,
          channels: C,
          channel_names: channelNames,
          rows: state.rows,
        }) + '\n');
        writeFileSync(join(state.folder, 'transforms.json'), JSON.stringify(state.transforms) + '\n');
        writeFileSync(join(state.folder, 'contact-sheet.png'), contactSheet(state.thumbnails, C, S));
        writeFileSync(join(state.folder, 'manifest.json'), JSON.stringify({
          tool: { name: 'spinesurv', version: toolVersion() },
          command: 'preprocess',
          variant: state.key,
          parameters: { ...state.params },
          tensor: {
            file: 'images.safetensors',
            name: 'images',
            dtype: 'uint8',
            shape: [state.writer.count, C, S, S],
            channels: channelNames,
            scale: 'value / 255 is the intensity normalised to [0, 1] over the region of interest (min-max, or between percentiles); 0 is also the zero padding outside it' + (state.params.masks ? ' and outside the vertebral-body mask' : ''),
          },
          coordinates: 'transforms.json maps original pixel coordinates (COCO: the centre of the top-left pixel at 0.5, 0.5) to output pixel coordinates',
          inputs,
          patients: { cohort_rows: total, processed: state.writer.count, left_out: leftOut.length },
          left_out: leftOut,
          notes: plan.notes,
        }, null, 2) + '\n');
      }
      if (options.allVariants) {
        writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({
          tool: { name: 'spinesurv', version: toolVersion() },
          command: 'preprocess --all-variants',
          variants: plan.variants,
          parameters: shared,
          inputs,
          patients: { cohort_rows: total, processed: states[0].writer.count, left_out: leftOut.length },
          left_out: leftOut,
          notes: plan.notes,
        }, null, 2) + '\n');
      }
    },
    { force: options.force, createdBy },
  );
  return {
    out: options.out,
    variants: states.map((s) => ({
      key: s.key,
      variant: s.params.variant,
      masks: s.params.masks,
      folder: options.allVariants ? join(options.out, s.key) : options.out,
      shape: [s.writer.count, channelCount(s.params.variant), outputSide(s.params), outputSide(s.params)],
    })),
    patients: total,
    processed: states[0]?.writer.count ?? 0,
    left_out: leftOut,
    masks_available: plan.masksAvailable,
    notes: plan.notes,
    keypoints_format: plan.source.format,
    parameters: shared,
  };
}

