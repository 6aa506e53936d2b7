/**
 * `spinesurv validate`: a finished study's models, unchanged, on another cohort (another site), and with
 * --recalibrate, the same models updated on that site's training split beside them. VAL is written
 * whole under a temporary name and renamed; the study and the cohort are only read.
 */
import { join, resolve } from 'node:path';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../util/atomic-write.js';
import { InputError, UsageError } from '../../util/errors.js';
import { checkOutputFolder, refuseOverwritingInput } from '../../util/output-folder.js';
import { log } from '../../util/progress.js';
import { Random } from '../../util/random.js';
import { CohortProblems, cohortFrom, readCohortRows, splitRefusal, type Cohort, type CohortRow } from '../cohort.js';
import type { StudyConfig } from '../config.js';
import { inSubgroup, type SurvivalSet } from '../design.js';
import type { FittedModel } from '../fit-models.js';
import { predictionsCsv } from '../run.js';
import type { Subgroup } from '../../report/results.js';
import { evaluateExternal, type ExternalOptions } from './evaluate-external.js';
import { fitUpdate } from './recalibrate.js';
import { writeUpdatedModel } from './updated-folder.js';
import type { Recalibration, ValidationModelResult, ValidationResults } from '../../report/validation-results.js';
import { applyStudy, checkCohortColumns, type AppliedModel } from './score-models.js';
import { readStudyFolder } from './study-folder.js';

export const VALIDATE_WRITER = 'spinesurv validate';

export interface ValidateOptions {
  studyDir: string;
  cohortDir: string;
  outDir: string;
  /** The new site's columns and codes; null: the defaults, with the study's horizons and bootstrap. */
  config: StudyConfig | null;
  defaults: StudyConfig;
  configPath?: string;
  recalibrate: Recalibration | null;
  bootstrap?: number;
  seed: number;
  version: string;
  force?: boolean;
  command?: string;
}

/** Decision thresholds: the predicted risks at which a clinician might start treatment, 1% to 30%. */
export const THRESHOLDS = Array.from({ length: 30 }, (_, k) => (k + 1) / 100);

function checkPaths(o: ValidateOptions): void {
  const out = resolve(o.outDir);
  for (const [flag, dir] of [['--study', o.studyDir], ['--cohort', o.cohortDir]] as const) {
    const input = resolve(dir);
    if (out === input || input.startsWith(out + '/') || out.startsWith(input + '/')) throw new UsageError(`--out ${o.outDir} lies in or over the ${flag} folder, which validate only reads`);
  }
  refuseOverwritingInput(o.outDir, [o.configPath], 'output folder');
  checkOutputFolder(o.outDir, { force: o.force, createdBy: VALIDATE_WRITER });
}

function loadNewSite(o: ValidateOptions, config: StudyConfig): Cohort {
  const reading = readCohortRows(o.cohortDir, config);
  if (reading.problems.length > 0) throw new CohortProblems(reading.file, reading.table.length, reading.problems);
  const cohort = cohortFrom(o.cohortDir, reading);
  if (o.recalibrate) {
    const refusal = splitRefusal(cohort.rows);
    if (refusal !== null) throw new InputError(`${cohort.file}: ${refusal} (--recalibrate fits on the training split and judges on the test split)`);
  } else if (!cohort.rows.some((r) => r.event === 1)) {
    throw new InputError(`${cohort.file}: no events; no model can be judged`);
  }
  return cohort;
}

function setOf(rows: CohortRow[]): SurvivalSet {
  return { rows, time: Float64Array.from(rows, (r) => r.time), event: Uint8Array.from(rows, (r) => r.event) };
}

/** The applied model as the study's evaluation takes it: scores of `train` and `test` rows, S(t) of the test rows. */
function asFitted(m: AppliedModel, train: SurvivalSet, test: SurvivalSet, scale = 1, survival = m.survival): FittedModel {
  const riskOf = (set: SurvivalSet) => Float64Array.from(set.rows, (r) => m.risk.get(r.line)!);
  const testRisk = riskOf(test);
  return {
    key: m.entry.key,
    method: m.entry.method,
    clinicalModel: m.entry.clinical_model,
    subgroup: m.entry.subgroup,
    covariates: m.entry.covariates,
    trainRisk: riskOf(train).map((r) => scale * r),
    testRisk: testRisk.map((r) => scale * r),
    testSurvival: (t) => Float64Array.from(testRisk, (r) => survival(r, t)),
    notes: [],
    dispose: () => {},
  };
}

function count(set: SurvivalSet): { n: number; events: number } {
  return { n: set.rows.length, events: set.event.reduce((a, e) => a + e, 0) };
}

export async function runValidation(o: ValidateOptions): Promise<{ results: ValidationResults; seconds: number }> {
  const started = Date.now();
  checkPaths(o);
  const study = readStudyFolder(o.studyDir, o.version);
  const settings = study.results.settings as { horizons?: number[]; bootstrap?: number; calibration_horizon?: number };
  const config = o.config ?? { ...o.defaults, horizons: settings.horizons ?? o.defaults.horizons, bootstrap: settings.bootstrap ?? o.defaults.bootstrap, calibrationHorizon: settings.calibration_horizon ?? o.defaults.calibrationHorizon };
  if (o.bootstrap !== undefined) config.bootstrap = o.bootstrap;
  const cohort = loadNewSite(o, config);
  checkCohortColumns(study, cohort);
  log(`validate: ${study.models.length} models of the study on ${cohort.rows.length} rows of the new site`);
  const applied = await applyStudy(study, cohort);
  const random = new Random(o.seed);
  const results: ValidationResults = {
    tool: { name: 'spinesurv', version: o.version },
    created_by: VALIDATE_WRITER,
    seed: o.seed,
    study: { version: study.results.tool.version, seed: study.results.seed, created_by: study.results.created_by },
    settings: { horizons: config.horizons, calibration_horizon: config.calibrationHorizon, bootstrap: config.bootstrap, recalibrate: o.recalibrate, thresholds: THRESHOLDS },
    cohort: {
      rows_read: cohort.flow.rowsRead,
      excluded: cohort.flow.excluded,
      refused: countReasons(applied.refused),
      validated_split: o.recalibrate ? 'test' : 'all',
      validated: {},
      update: o.recalibrate ? {} : null,
    },
    test: { models: [] },
    notes: [
      `Every model is applied as the study saved it: the same covariates, baseline hazard, keypoint detector and preprocessing.`,
      ...(applied.refused.size > 0 ? [`${applied.refused.size} radiograph(s) the image models refused are left out of every model, so all are judged on the same patients.`] : []),
    ],
  };
  const predictions = new Map<Subgroup, string>();
  const updates: { model: AppliedModel; update: ReturnType<typeof fitUpdate> }[] = [];
  try {
    const subgroups = [...new Set(study.models.map((m) => m.subgroup))];
    for (const subgroup of subgroups) {
      const rows = cohort.rows.filter((r) => inSubgroup(r, subgroup) && !applied.refused.has(r.line));
      const test = setOf(o.recalibrate ? rows.filter((r) => r.split === 'test') : rows);
      const train = setOf(o.recalibrate ? rows.filter((r) => r.split === 'train') : rows);
      if (!test.event.some((e) => e === 1) || (o.recalibrate && !train.event.some((e) => e === 1))) {
        results.notes.push(`Subgroup "${subgroup}" has no events among the rows validated (or updated on) and was not analysed.`);
        continue;
      }
      results.cohort.validated[subgroup] = count(test);
      if (results.cohort.update) results.cohort.update[subgroup] = count(train);
      const file = `predictions/test-${subgroup}.csv`;
      const options: ExternalOptions = { horizons: config.horizons, calibrationHorizon: config.calibrationHorizon, bootstrap: config.bootstrap, thresholds: THRESHOLDS, predictionsFile: file };
      const models = applied.models.filter((m) => m.entry.subgroup === subgroup);
      const columns: FittedModel[] = [];
      const development = study.development(subgroup);
      for (const m of models) {
        const t0 = Date.now();
        const dev = { harrell: m.entry.harrell, time: development.time, event: development.event, score: development.score(m.entry.key) };
        const fitted = asFitted(m, train, test);
        results.test.models.push(evaluateExternal(fitted, m.logHazard, test, dev, options, random.fork()));
        columns.push(fitted);
        if (o.recalibrate && m.logHazard) {
          const update = fitUpdate(o.recalibrate, m.entry.key, fitted.trainRisk, train);
          updates.push({ model: m, update });
          const updated = asFitted(m, train, test, update.slope, update.survival);
          const key = updatedKey(m.entry.key, o.recalibrate);
          const r: ValidationModelResult = { ...evaluateExternal({ ...updated, key }, true, test, dev, options, random.fork()), key, recalibrated: o.recalibrate, recalibration_slope: update.slope };
          r.predictions = { file, column: key };
          results.test.models.push(r);
          columns.push({ ...updated, key });
        }
        log(`validate: ${subgroup}: ${m.entry.key} judged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      // The study's predictions layout (covariates included), so that `spinesurv predict` can score the same rows again.
      predictions.set(subgroup, predictionsCsv(test, columns, cohort.hasFrax));
    }
    if (results.test.models.length === 0) throw new InputError(`${cohort.file}: no subgroup could be validated (see the notes)`);
    if (o.recalibrate) {
      results.notes.push(o.recalibrate === 'intercept'
        ? 'Updated models ("recalibrated": "intercept") keep each model\'s linear predictor and refit its baseline hazard (Breslow) on the new site\'s training split.'
        : 'Updated models ("recalibrated": "slope") multiply each model\'s linear predictor by the calibration slope fitted on the new site\'s training split and refit the baseline hazard (Breslow) for it.');
      results.notes.push('FRAX is a given score, not a fitted model, and is not updated.');
    }
    const { renderValidationReport } = await import('../../report/validation-html.js');
    const html = await renderValidationReport(results);
    await writeDirAtomic(o.outDir, async (tmp) => {
      writeJsonAtomic(join(tmp, 'results.json'), results);
      writeFileAtomic(join(tmp, 'report.html'), html);
      for (const [subgroup, csv] of predictions) writeFileAtomic(join(tmp, 'predictions', `test-${subgroup}.csv`), csv);
      for (const u of updates) await writeUpdatedModel(study.modelDir(u.model.entry.key)!, join(tmp, 'models', updatedKey(u.model.entry.key, u.update.mode)), u.update, o.version);
      writeJsonAtomic(join(tmp, 'manifest.json'), {
        created_by: VALIDATE_WRITER,
        tool: { name: 'spinesurv', version: o.version },
        command: o.command ?? null,
        started: new Date(started).toISOString(),
        seconds: (Date.now() - started) / 1000,
        seed: o.seed,
        inputs: { study: resolve(o.studyDir), cohort: resolve(cohort.file), config: o.configPath ?? null },
        outputs: ['results.json', 'report.html', 'predictions/', ...(updates.length > 0 ? ['models/'] : [])],
      });
    }, { force: o.force, createdBy: VALIDATE_WRITER });
  } finally {
    applied.dispose();
  }
  return { results, seconds: (Date.now() - started) / 1000 };
}

/** The key of a model updated on the new site, e.g. coxph_m3_all_recal_slope. */
export function updatedKey(key: string, mode: Recalibration): string {
  return `${key}_recal_${mode}`;
}

/**
 * Reasons counted by kind (the first flag up to its colon, e.g. "spacing"), so that the report never
 * lists patients nor one line per measured value.
 */
function countReasons(refused: Map<number, string>): { reason: string; n: number }[] {
  const counts = new Map<string, number>();
  for (const reason of refused.values()) {
    const first = reason.split('; ')[0].split(':')[0];
    counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => ({ reason, n }));
}
