/**
 * Shared set-up for the viewer's tests: the real CLI, a tiny image model (image + age and sex, with
 * its keypoint detector) trained in a temporary folder as test/queue/image-model.test.ts trains one
 * (120 patients, 256 px, ~10 s of CPU), the cohort.csv rows, and headless Debian chromium.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { parse } from 'csv-parse/sync';

export const bin = fileURLToPath(new URL('../../../../bin/spinesurv.js', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `spinesurv-${label}-`));
}

export function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`spinesurv ${args.slice(0, 2).join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Image + clinical model 1 (age, sex) on 5 L1-L5 patches of 32 px, with its keypoint detector. */
export function tinyImageModel(dir: string): string {
  const cohort = join(dir, 'train-cohort');
  cli(['synth', '--out', cohort, '--patients', '120', '--size', '256', '--seed', '3']);
  const patches = join(dir, 'patches');
  cli(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'patches', '--size', '32', '--out', patches, '--workers', '0']);
  const detector = join(dir, 'detector');
  cli(['landmarks', 'train', '--cohort', cohort, '--out', detector, '--size', '64', '--epochs', '15', '--threads', '1', '--seed', '1']);
  const model = join(dir, 'model');
  cli(['imagesurv', 'fit', '--cohort', cohort, '--variant', patches, '--out', model, '--input-size', '32', '--width', '4', '--batch-size', '16', '--validation', '0.3', '--head-width', '8', '--epochs', '1', '--clinical', '1', '--landmarks', detector, '--seed', '1']);
  return model;
}

export interface CohortPatient {
  file: string;
  age: number;
  sex: string;
}

export function cohortPatients(cohort: string): CohortPatient[] {
  const rows = parse(readFileSync(join(cohort, 'cohort.csv')), { columns: true }) as Record<string, string>[];
  return rows.map((r) => ({ file: join(cohort, r.image), age: Number(r.age), sex: r.sex }));
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** `spinesurv predict --image` with the given keypoints (or the detector's) and clinical values. */
export function predictImage(model: string, file: string, clinical: { age: number; sex: string }, keypoints?: number[]): { risk: number; surv: Record<string, number>; percentile: number } {
  const args = ['predict', '--model', model, '--image', file, '--age', String(clinical.age), '--sex', clinical.sex, '--json'];
  // String(v) writes the shortest text that reads back as the same double.
  if (keypoints !== undefined) args.push('--keypoints', keypoints.map((v) => String(v)).join(','));
  return JSON.parse(cli(args)) as { risk: number; surv: Record<string, number>; percentile: number };
}

/** An 8-bit binary PGM (dcm2pnm's default output) as width, height and bytes. */
export function readPgm(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  const header = /^P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 200).toString('latin1'));
  if (header === null) throw new Error('not a binary PGM');
  const width = Number(header[1]), height = Number(header[2]);
  if (Number(header[3]) !== 255) throw new Error(`PGM maxval ${header[3]}, expected 255`);
  return { width, height, data: new Uint8Array(bytes.subarray(header[0].length, header[0].length + width * height)) };
}
