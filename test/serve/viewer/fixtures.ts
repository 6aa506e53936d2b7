/**
 * Shared set-up for the viewer's tests: the cohort.csv rows of the radiographs sent, headless Debian
 * chromium, `spinesurv predict --image` as the independent path to a score, and 8-bit PGM reading.
 * The model, the CLI and the DICOM clients come from ../helpers.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { cli } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';

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
  return JSON.parse(cli(args).stdout) as { risk: number; surv: Record<string, number>; percentile: number };
}

/** An 8-bit binary PGM (dcm2pnm's default output) as width, height and bytes. */
export function readPgm(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  const header = /^P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 200).toString('latin1'));
  if (header === null) throw new Error('not a binary PGM');
  const width = Number(header[1]), height = Number(header[2]);
  if (Number(header[3]) !== 255) throw new Error(`PGM maxval ${header[3]}, expected 255`);
  return { width, height, data: new Uint8Array(bytes.subarray(header[0].length, header[0].length + width * height)) };
}
