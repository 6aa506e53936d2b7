/**
 * Agreement between two readings of L1-L5 on the same radiographs: two annotators, or an annotator
 * and the detector (either file may be a COCO keypoints file or a `landmarks predict` results list;
 * both are read by the one reader in src/keypoints). Reported in millimetres: the mean radial error
 * per vertebra, the share of points within 2 and 4 mm, and Bland-Altman limits of agreement per
 * coordinate (bias = mean of A - B, limits = bias +- 1.96 SD, SD with n - 1 as R's sd). Unlike
 * `landmarks evaluate` neither reading is the truth, so there is no OKS-AP here.
 */
import { readCsv } from '../util/csv.js';
import { InputError } from '../util/errors.js';
import { dirname, isAbsolute, join } from 'node:path';
import { allLabelled, KEYPOINT_NAMES, NUM_KEYPOINTS, type KeypointEntry, type KeypointsFile } from '../keypoints/index.js';
import { readRadiographHeader } from '../imaging/index.js';
import { mean, sd } from '../stats/descriptive.js';
import { radialErrorsMm, summarisePerVertebra } from './radial-error.js';

export interface LimitsOfAgreement {
  n: number;
  bias_mm: number;
  sd_mm: number;
  lower_mm: number;
  upper_mm: number;
}

export interface Agreement {
  n: number;
  mre_mm: Record<string, number>;
  within_2mm: number;
  within_4mm: number;
  per_vertebra: Record<string, { mre_mm: number; sd_mm: number; within_2mm: number; within_4mm: number; max_mm: number }>;
  /** A - B per vertebra and coordinate (x: columns, to the right; y: rows, down), in mm. */
  bland_altman: Record<string, { x: LimitsOfAgreement; y: LimitsOfAgreement }>;
  /** Where each compared image's pixel spacing came from. */
  spacing: { file: number; image_header: number };
  /** Images left out, by reason (counts; never file names, which may carry a patient id). */
  left_out: Record<string, number>;
}

/** One image both files read, as compared. */
interface Pair {
  a: KeypointEntry | undefined;
  b: KeypointEntry | undefined;
  /** The radiograph's path, for its pixel spacing when neither file gives it. */
  path: string | null;
}

export interface AgreementOptions {
  /** Compare the images of this cohort's cohort.csv (found in both files by the one lookup). */
  cohortDir?: string;
  /** With cohortDir: only the rows of this split (null: every row). */
  split?: string | null;
}

/** The images to compare: the cohort's rows, or every image of A matched in B by file name (else id). */
function pairs(a: KeypointsFile, b: KeypointsFile, options: AgreementOptions): Pair[] {
  if (options.cohortDir !== undefined) {
    const dir = options.cohortDir;
    const table = readCsv(join(dir, 'cohort.csv'));
    const images = table.strings('image');
    const splits = options.split == null ? null : table.strings('split');
    const chosen = images.filter((_, i) => splits === null || splits[i]!.trim() === options.split);
    if (chosen.length === 0) throw new InputError(`${join(dir, 'cohort.csv')}: no rows${options.split == null ? '' : ` with split "${options.split}"`}`);
    return chosen.map((image) => ({ a: a.lookup(image, dir), b: b.lookup(image, dir), path: isAbsolute(image) ? image : join(dir, image) }));
  }
  const baseA = dirname(a.path);
  const seen = new Set<number>();
  const out: Pair[] = [];
  for (const ea of a.entries) {
    if (seen.has(ea.imageId)) continue; // a results list may hold several detections of one image
    seen.add(ea.imageId);
    const byName = ea.fileName !== '' && b.entries.some((e) => e.fileName !== '');
    const eb = byName ? b.lookup(ea.fileName, baseA) : b.byImageId.get(ea.imageId);
    out.push({ a: ea, b: eb, path: ea.fileName === '' ? null : isAbsolute(ea.fileName) ? ea.fileName : join(baseA, ea.fileName) });
  }
  return out;
}

/** Why an entry cannot be compared, or null. A detector's flags do not leave it out: they are part of what is compared. */
function unusable(entry: KeypointEntry | undefined, side: 'A' | 'B'): string | null {
  if (entry === undefined) return `not in ${side}`;
  if (entry.problem?.startsWith('listed more than once')) return `listed more than once in ${side}`;
  if (entry.keypoints === null || !allLabelled(entry.keypoints)) return `fewer than five points in ${side}`;
  return null;
}

function limits(d: number[]): LimitsOfAgreement {
  const bias = mean(d);
  const s = d.length > 1 ? sd(d) : Number.NaN;
  return { n: d.length, bias_mm: bias, sd_mm: s, lower_mm: bias - 1.96 * s, upper_mm: bias + 1.96 * s };
}

export async function keypointAgreement(a: KeypointsFile, b: KeypointsFile, options: AgreementOptions = {}): Promise<Agreement> {
  const errors: number[][] = KEYPOINT_NAMES.map(() => []);
  const dx: number[][] = KEYPOINT_NAMES.map(() => []);
  const dy: number[][] = KEYPOINT_NAMES.map(() => []);
  const leftOut: Record<string, number> = {};
  const spacingFrom = { file: 0, image_header: 0 };
  let n = 0;
  for (const pair of pairs(a, b, options)) {
    const reason = unusable(pair.a, 'A') ?? unusable(pair.b, 'B');
    if (reason !== null) {
      leftOut[reason] = (leftOut[reason] ?? 0) + 1;
      continue;
    }
    const ea = pair.a!, eb = pair.b!;
    let spacing = ea.pixelSpacing ?? eb.pixelSpacing;
    if (spacing !== null) spacingFrom.file++;
    else {
      if (pair.path === null) throw new InputError(`${a.path}: ${ea.where} has no file_name and neither file gives its pixel_spacing; MRE in mm needs it`);
      spacing = await spacingOfImage(pair.path, a.path, ea.where);
      spacingFrom.image_header++;
    }
    const e = radialErrorsMm(ea.keypoints!, eb.keypoints!, spacing, 2, 2);
    for (let k = 0; k < NUM_KEYPOINTS; k++) {
      errors[k]!.push(e[k]!);
      dx[k]!.push((ea.keypoints![2 * k]! - eb.keypoints![2 * k]!) * spacing[1]);
      dy[k]!.push((ea.keypoints![2 * k + 1]! - eb.keypoints![2 * k + 1]!) * spacing[0]);
    }
    n++;
  }
  if (n === 0) {
    const why = Object.entries(leftOut).map(([r, c]) => `${c} ${r}`).join(', ');
    throw new InputError(`${a.path} and ${b.path}: no radiograph has all five points (L1-L5) in both (${why || 'no images'})`);
  }
  const { perVertebra, all } = summarisePerVertebra(errors);
  const mre: Record<string, number> = {};
  const per: Agreement['per_vertebra'] = {};
  const ba: Agreement['bland_altman'] = {};
  KEYPOINT_NAMES.forEach((name, k) => {
    const v = perVertebra[name]!;
    mre[name] = v.mre_mm;
    per[name] = { mre_mm: v.mre_mm, sd_mm: v.sd_mm, within_2mm: v.sdr_2mm, within_4mm: v.sdr_4mm, max_mm: v.max_mm };
    ba[name] = { x: limits(dx[k]!), y: limits(dy[k]!) };
  });
  mre.all = all.mre_mm;
  return { n, mre_mm: mre, within_2mm: all.sdr_2mm, within_4mm: all.sdr_4mm, per_vertebra: per, bland_altman: ba, spacing: spacingFrom, left_out: leftOut };
}

async function spacingOfImage(path: string, file: string, where: string): Promise<[number, number]> {
  let header;
  try {
    header = await readRadiographHeader(path);
  } catch (error) {
    throw new InputError(`${file}: ${where}: no pixel_spacing in either file, and the image cannot be read for it (${(error as Error).message})`);
  }
  if (header.pixelSpacing === null) throw new InputError(`${file}: ${where}: no pixel_spacing in either file nor in the image's header; MRE in mm needs it`);
  return header.pixelSpacing;
}
