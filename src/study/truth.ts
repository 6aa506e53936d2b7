/**
 * A synthetic cohort's truth.json (written by `spinesurv synth`): every patient's true linear
 * predictor and the best score available without the image. The study puts two yardsticks beside the
 * models: the C-index of the true risk (the "oracle", the best any model could do) and of the best
 * clinical-only score (the best a model without images could do). They are recomputed on exactly the
 * test patients of each subgroup analysed; truth.json's own values for the whole test split are kept
 * as the headline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harrellC } from '../survival/index.js';
import { InputError } from '../util/errors.js';
import type { Cohort } from './cohort.js';
import type { SurvivalSet } from './design.js';
import type { Subgroup, TruthResult } from './results.js';

interface TruthPatient {
  patient_id: string;
  linear_predictor: number;
  best_clinical_predictor: number;
}

export interface Truth {
  summarise(sets: Map<Subgroup, { train: SurvivalSet; test: SurvivalSet }>): TruthResult;
}

export function readTruth(dir: string, cohort: Cohort): Truth | undefined {
  const path = join(dir, 'truth.json');
  if (!existsSync(path)) return undefined;
  let json: { oracle_harrell?: unknown; clinical_only_harrell?: unknown; patients?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(json.patients)) throw new InputError(`${path}: no "patients" list`);
  const byId = new Map<string, TruthPatient>();
  for (const p of json.patients as TruthPatient[]) {
    if (typeof p?.patient_id === 'string' && Number.isFinite(p.linear_predictor) && Number.isFinite(p.best_clinical_predictor)) {
      byId.set(p.patient_id, p);
    }
  }
  const missing = cohort.rows.filter((r) => !byId.has(r.patientId));
  if (missing.length > 0) {
    throw new InputError(`${path}: no true linear predictor for ${missing.length} cohort row(s), e.g. line ${missing[0].line} of the cohort`);
  }
  const headline = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    summarise(sets) {
      const bySubgroup: NonNullable<TruthResult['by_subgroup']> = {};
      for (const [subgroup, { test }] of sets) {
        if (!test.event.some((e) => e === 1)) continue;
        const truth = test.rows.map((r) => byId.get(r.patientId)!);
        bySubgroup[subgroup] = {
          oracle_harrell: harrellC(test.time, test.event, truth.map((t) => t.linear_predictor)).c,
          clinical_only_harrell: harrellC(test.time, test.event, truth.map((t) => t.best_clinical_predictor)).c,
          n: test.rows.length,
        };
      }
      const all = bySubgroup.all;
      return {
        oracle_harrell: headline(json.oracle_harrell) ?? all?.oracle_harrell ?? NaN,
        clinical_only_harrell: headline(json.clinical_only_harrell) ?? all?.clinical_only_harrell ?? NaN,
        by_subgroup: bySubgroup,
      };
    },
  };
}
