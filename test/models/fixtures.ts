/** Shared helpers for the models tests: R's survival datasets and reference values (test/fixtures/survival). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../../src/util/csv.js';
import { loadSurvivalTable } from '../../src/models/tabular.js';
import type { SurvivalData } from '../../src/models/survival-data.js';

export const fixtureDir = fileURLToPath(new URL('../../../test/fixtures/survival/', import.meta.url));

export interface CoxReference {
  data: string;
  ties: 'efron' | 'breslow';
  covariates: string[];
  n: number;
  nevent: number;
  coef: number[];
  loglik: number;
  loglik0: number;
}

export function coxReferences(): CoxReference[] {
  return (JSON.parse(readFileSync(fixtureDir + 'reference.json', 'utf8')) as { cox: CoxReference[] }).cox;
}

/** Complete cases of a fixture for the given columns, as R's coxph uses them. */
export function fixtureData(file: string, time: string, event: string, covariates: string[]): SurvivalData {
  return loadSurvivalTable(readCsv(fixtureDir + file), { time, event, covariates, dropMissing: true }).data;
}

export function timeColumns(file: string): { time: string; event: string } {
  return file === 'lung.csv' || file === 'veteran.csv' ? { time: 'time', event: 'status' } : { time: 'futime', event: 'death' };
}
