/**
 * A synthetic cohort's truth.json (written by `spinesurv synth`): every patient's true linear
 * predictor and the generator's parameters. The study puts three yardsticks beside the models
 * (reference-lines.ts): the C-index of the true risk (the oracle), of the best score from the study's
 * clinical covariates, and of the best score from every CSV column (which holds bmd_tscore, a noisy
 * reading of the density the image shows). All three are recomputed on exactly the test rows each
 * subgroup analysed, and for every model the share of the oracle's gain over the clinical line that
 * it recovers is given with a paired bootstrap CI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapCi, harrellC, take } from '../survival/index.js';
import { DEFAULT_PARAMS, type GeneratorParams } from '../synth/params.js';
import { InputError } from '../util/errors.js';
import type { Random } from '../util/random.js';
import type { Cohort, CohortRow } from './cohort.js';
import type { SurvivalSet } from './design.js';
import type { FittedModel } from './fit-models.js';
import { allColumnsReferenceScore, clinicalReferenceScore } from './reference-lines.js';
import type { GainShare, ReferenceLines, Subgroup, TruthResult } from '../report/results.js';

export interface ReferenceScores {
  oracle: Float64Array;
  clinical: Float64Array;
  allColumns: Float64Array;
}

export interface Truth {
  /** The three reference scores of the given rows (all in the cohort). */
  scores(rows: CohortRow[]): ReferenceScores;
  /**
   * The reference lines on each analysed subgroup's test rows, and each model's share of the oracle's
   * gain over the clinical line (bootstrap CI over test patients, B resamples).
   */
  summarise(sets: Map<Subgroup, { train: SurvivalSet; test: SurvivalSet }>, models: FittedModel[], bootstrap: number, random: Random): TruthResult;
}

export const REFERENCE_DEFINITIONS = {
  oracle_harrell: 'the true log hazard ratio of the generator (the best any model can do)',
  clinical_only_harrell:
    "the best score from the study's clinical covariates (age, sex, BMI, glucocorticoids, secondary osteoporosis): log E[hazard | covariates] under the generator",
  all_columns_harrell:
    'the best score from every CSV column, including bmd_tscore (a noisy reading of the bone density the image shows) and frax_mof (computed from the others)',
  gain_share: '(C(model) - C(clinical line)) / (C(oracle) - C(clinical line)) on the same test patients',
} as const;

/** Checks that truth.json carries every generator parameter the reference lines use, naming a missing one. */
function readParameters(path: string, raw: unknown): GeneratorParams {
  const sections = ['patients', 'density', 'deformity', 'hazard'] as const;
  if (typeof raw !== 'object' || raw === null) throw new InputError(`${path}: no "parameters" object (the generator's model)`);
  const given = raw as Record<string, Record<string, unknown> | undefined>;
  for (const section of sections) {
    for (const [key, value] of Object.entries(DEFAULT_PARAMS[section])) {
      const v = given[section]?.[key];
      const ok = Array.isArray(value) ? Array.isArray(v) : typeof v === 'number' && Number.isFinite(v);
      if (!ok) throw new InputError(`${path}: parameters.${section}.${key} is missing or not a number`);
    }
  }
  return raw as GeneratorParams;
}

export function readTruth(dir: string, cohort: Cohort): Truth | undefined {
  const path = join(dir, 'truth.json');
  if (!existsSync(path)) return undefined;
  let json: { patients?: unknown; parameters?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(json.patients)) throw new InputError(`${path}: no "patients" list`);
  const params = readParameters(path, json.parameters);
  const lp = new Map<string, number>();
  for (const p of json.patients as { patient_id?: unknown; linear_predictor?: unknown }[]) {
    if (typeof p?.patient_id === 'string' && typeof p.linear_predictor === 'number' && Number.isFinite(p.linear_predictor)) {
      lp.set(p.patient_id, p.linear_predictor);
    }
  }
  const missing = cohort.rows.filter((r) => !lp.has(r.patientId));
  if (missing.length > 0) {
    throw new InputError(`${path}: no true linear predictor for ${missing.length} cohort row(s), e.g. line ${missing[0].line} of the cohort`);
  }

  const scores = (rows: CohortRow[]): ReferenceScores => ({
    oracle: Float64Array.from(rows, (r) => lp.get(r.patientId)!),
    clinical: Float64Array.from(rows, (r) => clinicalReferenceScore(r, params)),
    allColumns: Float64Array.from(rows, (r) => allColumnsReferenceScore(r, params)),
  });

  return {
    scores,
    summarise(sets, models, bootstrap, random) {
      const bySubgroup: Partial<Record<Subgroup, ReferenceLines>> = {};
      const gains: GainShare[] = [];
      for (const [subgroup, { test }] of sets) {
        if (!test.event.some((e) => e === 1)) continue;
        const s = scores(test.rows);
        const c = (score: Float64Array) => harrellC(test.time, test.event, score).c;
        bySubgroup[subgroup] = {
          oracle_harrell: c(s.oracle),
          clinical_only_harrell: c(s.clinical),
          all_columns_harrell: c(s.allColumns),
          n: test.rows.length,
          events: test.event.reduce((a, e) => a + e, 0),
        };
        const inSubgroup = models.filter((m) => m.subgroup === subgroup);
        const candidates: { key: string; score: Float64Array }[] = [
          ...inSubgroup.map((m) => ({ key: m.key, score: m.testRisk })),
          { key: `all_columns_reference_${subgroup}`, score: s.allColumns },
        ];
        for (const { key, score } of candidates) {
          const result = gainShare(test, score, s, bootstrap, random.fork());
          gains.push({ key, subgroup, ...result });
        }
      }
      const headline = bySubgroup.all ?? Object.values(bySubgroup)[0];
      return {
        oracle_harrell: headline?.oracle_harrell ?? NaN,
        clinical_only_harrell: headline?.clinical_only_harrell ?? NaN,
        all_columns_harrell: headline?.all_columns_harrell ?? NaN,
        by_subgroup: bySubgroup,
        gain_share: gains,
        definitions: { ...REFERENCE_DEFINITIONS },
      };
    },
  };
}

/**
 * (C(score) - C(clinical)) / (C(oracle) - C(clinical)) on the test rows, with a percentile bootstrap
 * CI in which the three C-indices are recomputed on the same resampled patients. A resample whose
 * oracle gap is not positive gives no share (counted in `bootstrap_dropped`).
 */
export function gainShare(
  test: { time: Float64Array; event: Uint8Array },
  score: Float64Array,
  refs: Pick<ReferenceScores, 'oracle' | 'clinical'>,
  B: number,
  random: Random,
): { share: number; ci95: [number, number]; bootstrap_dropped: number } {
  const statistic = (rows: Int32Array): number => {
    const t = take(test.time, rows);
    const e = take(test.event, rows);
    if (!e.some((v) => v === 1)) return NaN;
    const clinical = harrellC(t, e, take(refs.clinical, rows)).c;
    const gap = harrellC(t, e, take(refs.oracle, rows)).c - clinical;
    if (!(gap > 0)) return NaN;
    return (harrellC(t, e, take(score, rows)).c - clinical) / gap;
  };
  const result = bootstrapCi(test.time.length, statistic, { B, random });
  return { share: result.estimate, ci95: [result.lower, result.upper], bootstrap_dropped: result.failed };
}
