/**
 * The study runner: cohort -> validation -> Table 1 -> models fitted on the training split -> metrics,
 * comparisons and figure data on the test split -> OUT/results.json, OUT/report.html, the test-split
 * predictions, the fitted model folders and a manifest. OUT is built under a temporary name and
 * renamed into place, so it is either the complete new study or untouched. A cohort with bad rows
 * leaves OUT holding nothing but error-report.json.
 */
import { join, resolve } from 'node:path';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { formatCsv } from '../util/csv.js';
import { checkOutputFolder, readOutputMarker, refuseOverwritingInput } from '../util/output-folder.js';
import { UsageError } from '../util/errors.js';
import { log } from '../util/progress.js';
import { Random } from '../util/random.js';
import { renderReport } from '../report/html.js';
import { CohortProblems, loadCohort, type Cohort } from './cohort.js';
import { configToJson, type StudyConfig } from './config.js';
import { compareModels } from './compare.js';
import { survivalSet, type SurvivalSet } from './design.js';
import { evaluateModel } from './evaluate.js';
import { calibrationFigure, kmByTertile } from './figure-data.js';
import { fitCox, fitDeepSurvModel, fraxModel, modelKey, type FittedModel } from './fit-models.js';
import { hashFile, hashIfPresent } from './manifest.js';
import { computeRecord } from '../torch/compute-mode.js';
import { runtimeInfo } from '../torch/index.js';
import type { ClinicalModel, StudyResults, Subgroup } from '../report/results.js';
import { buildTable1 } from './table1.js';
import { readTruth } from './truth.js';
import type { ImageHalf } from './image-stages.js';

export interface StudyOptions {
  cohortDir: string;
  outDir: string;
  config: StudyConfig;
  configPath?: string;
  seed: number;
  version: string;
  /** The command line that started the study, for the manifest. */
  command?: string;
  /** Replace OUT when it is an earlier study's output. */
  force?: boolean;
}

export interface StudyOutcome {
  results: StudyResults;
  reportPath: string;
  resultsPath: string;
  seconds: number;
}

/**
 * OUT is replaced as a whole, so it must be empty, absent, or (with --force) an earlier study's
 * output holding nothing else (output-folder.ts), and never the cohort or a folder above it.
 */
/** Who a study folder's ownership marker names. */
export const STUDY_WRITER = 'spinesurv study';

export function checkOutDir(outDir: string, cohortDir: string, force = false, configPath?: string): void {
  const out = resolve(outDir);
  const cohort = resolve(cohortDir);
  if (out === cohort || cohort.startsWith(out + '/')) throw new UsageError(`--out ${outDir} would replace the cohort folder`);
  refuseOverwritingInput(outDir, [configPath], 'output folder');
  checkOutputFolder(outDir, { force, createdBy: STUDY_WRITER });
}

/** The previous OUT when it is an earlier study's output (its unchanged stages are reused). */
function previousStudy(outDir: string): string | null {
  return readOutputMarker(outDir)?.created_by === STUDY_WRITER ? outDir : null;
}

export async function runStudy(options: StudyOptions): Promise<StudyOutcome> {
  const started = Date.now();
  const { config, seed } = options;
  checkOutDir(options.outDir, options.cohortDir, options.force, options.configPath);

  let cohort: Cohort;
  try {
    cohort = loadCohort(options.cohortDir, config);
  } catch (error) {
    if (error instanceof CohortProblems) await writeErrorReport(options, error);
    throw error;
  }
  const imagesOn = config.images.enabled && cohort.present.image;

  const rng = new Random(seed);
  const fitRng = rng.fork();
  const evalRng = rng.fork();
  const studyImageRng = rng.fork();
  // images.model_seed reseeds the image models' training alone (the stages before them are unchanged).
  const imageRng = config.images.modelSeed ? new Random(config.images.modelSeed) : studyImageRng;
  const fitted: FittedModel[] = [];
  let results: StudyResults | undefined;
  let truthPresent = false;
  // OUT is built whole under a temporary name: the image stages write into it, and reuse the
  // previous OUT's unchanged stages.
  await writeDirAtomic(options.outDir, async (tmp) => {
    let imageHalf: ImageHalf | null = null;
    if (imagesOn) {
      const { runImageHalf } = await import('./image-stages.js');
      imageHalf = await runImageHalf({ cohort, config, seed, previousOut: previousStudy(options.outDir), newOut: tmp });
      cohort = imageHalf.cohort;
      const reused = Object.entries(imageHalf.stages).filter(([, r]) => r).map(([s]) => s);
      if (reused.length > 0) log(`study: reused unchanged stages: ${reused.join(', ')}`);
    }
    const f = cohort.flow;
    log(`study: ${f.rowsRead} rows read, ${f.analysed} analysed (train ${f.bySplit.train.n} with ${f.bySplit.train.events} events, test ${f.bySplit.test.n} with ${f.bySplit.test.events})`);
    const truth = readTruth(options.cohortDir, cohort);
    truthPresent = truth !== undefined;
    const sets = new Map<Subgroup, { train: SurvivalSet; test: SurvivalSet }>();
    const assets = new Map<string, Buffer>(imageHalf?.assets ?? []);
    const { fitImageModel, gradcamGallery, trainStudyMembers } = imagesOn ? await import('./fit-image-models.js') : { fitImageModel: null, gradcamGallery: null, trainStudyMembers: null };
    const { readVariantFolder } = imagesOn ? await import('../models/image/index.js') : { readVariantFolder: null };
    const folder = imageHalf && readVariantFolder ? readVariantFolder(imageHalf.chosenFolder) : null;
    try {
      results = emptyResults(options, cohort);
      results.table1 = buildTable1(cohort);
      if (imageHalf) {
        results.variants = imageHalf.variants;
        results.variant_selection = imageHalf.selection;
        results.landmarks = imageHalf.landmarks;
        results.galleries = { keypoints: imageHalf.keypointGallery, gradcam: [] };
        results.notes.push(...imageHalf.notes);
      }
      for (const subgroup of config.subgroups) {
        const train = survivalSet(cohort.rows, 'train', subgroup);
        const test = survivalSet(cohort.rows, 'test', subgroup);
        sets.set(subgroup, { train, test });
        if (!train.event.some((e) => e === 1) || !test.event.some((e) => e === 1)) {
          results.notes.push(`Subgroup "${subgroup}" has no events in the ${train.event.some((e) => e === 1) ? 'test' : 'training'} split and was not analysed.`);
          continue;
        }
        const models: FittedModel[] = [];
        for (const cm of [1, 2, 3] as ClinicalModel[]) {
          log(`study: ${subgroup}: CoxPH model ${cm}`);
          models.push(fitCox(train, test, cm, subgroup, options.version));
        }
        for (const cm of [1, 2, 3] as ClinicalModel[]) {
          const t0 = Date.now();
          const model = fitDeepSurvModel(train, test, cm, subgroup, config, fitRng.nextUint32());
          models.push(model);
          log(`study: ${subgroup}: DeepSurv model ${cm} fitted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
        if (folder && fitImageModel && gradcamGallery) {
          const galleryModel = config.images.models.includes(3) ? 3 : config.images.models[0];
          // The ensemble's members are trained once per subgroup and shared by every clinical model.
          const t1 = Date.now();
          const members = await trainStudyMembers!(folder, train, config, imageRng.nextUint32(), subgroup);
          if (members) log(`study: ${subgroup}: ${members.config.ensemble} image ensemble members trained in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
          try {
            for (const cm of config.images.models) {
              const t0 = Date.now();
              // The folder is self-contained: it carries the study's detector, so predict, score and serve take it as it is.
              const model = fitImageModel(folder, train, test, cm, subgroup, config, members ?? imageRng.nextUint32(), imageHalf!.detectorFolder);
              models.push(model);
              log(`study: ${subgroup}: ${model.key} fitted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
              if (cm === galleryModel) results.galleries!.gradcam!.push(await gradcamGallery(model, folder, test, config.images.gradcamPerGroup, assets));
            }
          } finally {
            members?.dispose();
          }
        }
        if (cohort.hasFrax) models.push(fraxModel(train, test, subgroup));
        fitted.push(...models);

        const file = `predictions/test-${subgroup}.csv`;
        const evalOptions = { horizons: config.horizons, bootstrap: config.bootstrap, unoTau: Math.max(...config.horizons) };
        const t0 = Date.now();
        for (const m of models) results.test.models.push(evaluateModel(m, train, test, evalOptions, evalRng.fork(), file));
        results.test.comparisons.push(...compareModels(models, test, subgroup, config.bootstrap, evalRng.fork()));
        log(`study: ${subgroup}: metrics with ${config.bootstrap} bootstrap resamples in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

        const byKey = new Map(models.map((m) => [m.key, m]));
        for (const key of [modelKey('coxph', 3, subgroup), modelKey('deepsurv', 3, subgroup)]) {
          results.test.km.push(kmByTertile(byKey.get(key)!, test));
        }
        for (const key of [modelKey('coxph', 3, subgroup), modelKey('deepsurv', 3, subgroup), modelKey('frax', null, subgroup)]) {
          const m = byKey.get(key);
          if (m) results.test.calibration.push(calibrationFigure(m, test, config.calibrationHorizon, config.calibrationGroups));
        }
        for (const m of models) results.notes.push(...m.notes);
      }
      if (results.test.models.length === 0) throw new UsageError('no subgroup could be analysed (see the notes above)');
      if (truth) results.truth = truth.summarise(sets, fitted, config.bootstrap, evalRng.fork());

      const html = await renderReport(results, { readAsset: (file) => assets.get(file)! });
      writeJsonAtomic(join(tmp, 'results.json'), results);
      writeFileAtomic(join(tmp, 'report.html'), html);
      for (const [file, png] of assets) writeFileAtomic(join(tmp, file), png);
      for (const subgroup of sets.keys()) {
        const models = fitted.filter((m) => m.subgroup === subgroup);
        if (models.length > 0) writeFileAtomic(join(tmp, 'predictions', `test-${subgroup}.csv`), predictionsCsv(sets.get(subgroup)!.test, models, cohort.hasFrax));
      }
      for (const m of fitted) if (m.save) await m.save(join(tmp, 'models', m.key));
      writeJsonAtomic(join(tmp, 'manifest.json'), manifest(options, cohort, started, truthPresent, imageHalf));
    } finally {
      folder?.images.dispose();
      for (const m of fitted) m.dispose();
    }
  }, { force: options.force, createdBy: STUDY_WRITER });
  const seconds = (Date.now() - started) / 1000;
  return { results: results!, reportPath: join(options.outDir, 'report.html'), resultsPath: join(options.outDir, 'results.json'), seconds };
}

function emptyResults(options: StudyOptions, cohort: Cohort): StudyResults {
  const f = cohort.flow;
  const split = (s: typeof f.bySplit.train) => ({ n: s.n, events: s.events, women: s.women, women_events: s.womenEvents });
  const notes: string[] = [];
  if (cohort.hasFrax) {
    notes.push('FRAX ranks patients as given. For the Brier score and calibration its 10-year probability p is read as a constant hazard: S(t) = (1 - p)^(t/10).');
  }
  notes.push(`Uno's C counts events up to ${Math.max(...options.config.horizons)} years (the last horizon).`);
  if (!cohort.present.image) notes.push('The cohort has no image column; image files were not checked.');
  return {
    tool: { name: 'spinesurv', version: options.version },
    created_by: 'spinesurv study',
    seed: options.seed,
    // What decides the numbers (not the cores used, which never do in the reproducible mode).
    compute: numbersCompute(),
    settings: { ...configToJson(options.config), seed: options.seed },
    cohort: {
      rows_read: f.rowsRead,
      excluded: f.excluded,
      analysed: f.analysed,
      train: split(f.bySplit.train),
      test: split(f.bySplit.test),
      frax_source: cohort.hasFrax
        ? `column ${options.config.columns.frax_mof}${cohort.fraxWasPercent ? ' (percent, divided by 100)' : ''}`
        : null,
      time_unit: options.config.timeUnit,
    },
    table1: { groups: [], rows: [] },
    test: { models: [], comparisons: [], km: [], calibration: [] },
    variants: [],
    notes,
  };
}

/**
 * The test-split rows with their covariates and every model's risk score, named by model key; the
 * covariate columns let `spinesurv predict --model OUT/models/KEY` score the same rows again. Rows are
 * named by their cohort.csv line, not by patient_id.
 */
export function predictionsCsv(test: SurvivalSet, models: FittedModel[], hasFrax: boolean): string {
  const header = ['cohort_line', 'time', 'event', 'age', 'female', 'bmi', 'glucocorticoid', 'secondary_osteoporosis', ...(hasFrax ? ['frax_mof'] : []), ...models.map((m) => m.key)];
  const rows = test.rows.map((r, i) => [
    r.line,
    r.time,
    r.event,
    r.age,
    r.female,
    r.bmi,
    r.glucocorticoid,
    r.secondaryOsteoporosis,
    ...(hasFrax ? [r.frax] : []),
    ...models.map((m) => m.testRisk[i]),
  ]);
  return formatCsv(header, rows);
}

function manifest(options: StudyOptions, cohort: Cohort, started: number, hasTruth: boolean, imageHalf: ImageHalf | null): Record<string, unknown> {
  return {
    created_by: 'spinesurv study',
    tool: { name: 'spinesurv', version: options.version },
    command: options.command ?? null,
    started: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    seed: options.seed,
    compute: computeRecord(runtimeInfo()),
    parameters: configToJson(options.config),
    inputs: [
      hashFile(cohort.file, 'cohort'),
      ...hashIfPresent(options.configPath, 'config'),
      ...(hasTruth ? hashIfPresent(join(options.cohortDir, 'truth.json'), 'truth') : []),
    ],
    images: !cohort.present.image
      ? null
      : imageHalf
        ? { count: cohort.rows.length, checked: 'every radiograph read', stages: imageHalf.stages, chosen_variant: imageHalf.selection.chosen }
        : { count: cohort.rows.length, checked: 'every referenced file exists (the image half was turned off)' },
    outputs: ['results.json', 'report.html', 'predictions/', 'models/', ...(imageHalf ? ['stages/', 'figures/'] : [])],
  };
}

async function writeErrorReport(options: StudyOptions, error: CohortProblems): Promise<void> {
  const report = {
    created_by: 'spinesurv study',
    error: 'invalid cohort rows; nothing was fitted',
    cohort_file: error.file,
    rows_read: error.rowsRead,
    bad_rows: error.rows.map((r) => ({ line: r.line, problems: r.problems })),
  };
  // The same all-or-nothing rule: OUT becomes a folder holding only this report.
  await writeDirAtomic(options.outDir, (tmp) => writeJsonAtomic(join(tmp, 'error-report.json'), report), { force: options.force, createdBy: STUDY_WRITER });
}

/** The compute record without the core count: results.json holds only what decides the numbers. */
function numbersCompute(): NonNullable<StudyResults['compute']> {
  const { threads: _cores, ...rest } = computeRecord(runtimeInfo());
  void _cores;
  return { ...rest, blas: rest.blas.split('/').pop() ?? rest.blas };
}
