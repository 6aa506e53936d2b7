/**
 * A small cohort made by code for the study tests: clinical covariates drawn like the paper's Table 1,
 * fracture times from a stated proportional-hazards model, a FRAX-like column, and placeholder image
 * files (the clinical half only checks that they exist). Seeded, so every test sees the same rows.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsv } from '../../src/util/csv.js';
import { Random } from '../../src/util/random.js';

export interface FixtureOptions {
  patients?: number;
  testFraction?: number;
  seed?: number;
  /** Another site: the true log hazard is multiplied by this (default 1)... */
  effectScale?: number;
  /** ...and the baseline hazard per year is this (default 0.025). */
  baselineHazard?: number;
  /** Edits the rows (as strings, header included in `header`) before they are written. */
  edit?(header: string[], rows: string[][]): void;
}

export const FIXTURE_HEADER = [
  'patient_id', 'image', 'age', 'sex', 'bmi', 'glucocorticoid', 'secondary_osteoporosis', 'rheumatoid_arthritis',
  'prior_fracture', 'bmd_tscore', 'frax_mof', 'followup_years', 'fracture', 'split',
];

/** Writes DIR/cohort.csv and DIR/images/*.dcm; returns DIR. */
export function makeFixtureCohort(options: FixtureOptions = {}): string {
  const n = options.patients ?? 300;
  const rng = new Random(options.seed ?? 11);
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-cohort-'));
  mkdirSync(join(dir, 'images'));
  const rows: string[][] = [];
  const nTest = Math.round(n * (options.testFraction ?? 0.3));
  for (let i = 0; i < n; i++) {
    const id = `P${String(i + 1).padStart(4, '0')}`;
    const age = rng.truncatedNormal(60.5, 6.2, 50, 75);
    const female = rng.bernoulli(0.745) ? 1 : 0;
    const bmi = rng.truncatedNormal(24.1, 3.7, 16, 40);
    const gc = rng.bernoulli(0.52) ? 1 : 0;
    const sec = rng.bernoulli(0.08) ? 1 : 0;
    const ra = rng.bernoulli(0.035) ? 1 : 0;
    const tscore = rng.normal(-1.5 - 0.05 * (age - 60) + 0.08 * (bmi - 24), 0.8);
    // True log hazard: older, female, lower BMI, glucocorticoids and secondary osteoporosis raise risk.
    const lp = 0.06 * (age - 60) + 0.5 * female - 0.06 * (bmi - 24) + 0.5 * gc + 0.7 * sec - 0.5 * tscore;
    const eventTime = rng.exponential((options.baselineHazard ?? 0.025) * Math.exp((options.effectScale ?? 1) * lp));
    const censor = rng.between(0.5, 7);
    const time = Math.min(eventTime, censor);
    const frax = 100 * (1 - Math.exp(-0.06 * Math.exp(0.04 * (age - 60) + 0.4 * female - 0.3 * tscore + 0.2 * gc)));
    const image = `images/${id}.dcm`;
    writeFileSync(join(dir, image), 'placeholder');
    rows.push([
      id, image, age.toFixed(1), female ? 'F' : 'M', bmi.toFixed(1), String(gc), String(sec), String(ra), '0',
      tscore.toFixed(2), frax.toFixed(2), time.toFixed(4), eventTime <= censor ? '1' : '0', i >= n - nTest ? 'test' : 'train',
    ]);
  }
  const header = [...FIXTURE_HEADER];
  options.edit?.(header, rows);
  writeFileSync(join(dir, 'cohort.csv'), formatCsv(header, rows));
  return dir;
}
