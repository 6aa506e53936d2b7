/**
 * Evaluates image models on a cohort's test split (the numbers in docs/image-models.md):
 *   node dist/bench/image-model/evaluate.js COHORT TEST_VARIANT MODEL [MODEL...] [--heatmaps N] [--bootstrap B]
 * TEST_VARIANT is a `spinesurv preprocess` folder holding the test rows (made from the detector's
 * keypoints for the headline). Test patients it left out (keypoints flagged by the detector) cannot
 * be scored by an image model: they are counted, and every C (the clinical references too) is taken
 * over the same scored rows.
 * For each model: Harrell's C on the test rows with a percentile bootstrap CI; CoxPH model 3
 * (fitted here on the training rows) for reference, the paired difference with its bootstrap CI;
 * with truth.json, the share of the oracle's gain over the best clinical-only predictor,
 *   share = (C_model - C_clinical) / (C_oracle - C_clinical), bootstrapped over the same resamples.
 * With --heatmaps N: Grad-CAM on N test patients of the first model: the share of heatmap mass inside
 * the vertebral body masks against the masks' share of the area (of the patches' footprint and of
 * the whole image), and the model-randomisation check (Spearman of each map against the map of the
 * same network with freshly initialised weights).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coxph, concordance, harrellC, take } from '../../src/survival/index.js';
import { Random } from '../../src/util/random.js';
import { readCsv } from '../../src/util/csv.js';
import { manualSeed, tensor, noGrad, scope } from '../../src/torch/index.js';
import { readRadiograph } from '../../src/imaging/index.js';
import { loadImageModel } from '../../src/models/image/folder.js';
import { readVariantFolder } from '../../src/models/image/variant-folder.js';
import { transformMatrices, warpHeatmapBack } from '../../src/preprocess/index.js';
import { readImageCohortRows } from '../../src/models/image/cohort-rows.js';
import { gradCam } from '../../src/models/image/gradcam.js';
import { ImageSurvNetwork } from '../../src/models/image/network.js';
import { ImageModel } from '../../src/models/image/model.js';
import { spearman } from '../../src/models/image/spearman.js';
import { CLINICAL_COLUMNS } from '../../src/models/image/config.js';
import { clinicalMatrix } from '../../src/models/image/clinical.js';
import { readImageFile } from '../../src/imaging/image-files/read-image-file.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const heatmaps = flag('heatmaps', 0);
const B = flag('bootstrap', 1000);
const [cohortDir, variantDir, ...modelDirs] = args;

const variant = readVariantFolder(variantDir);
const byFile = new Map(variant.index.rows.map((r, i) => [r.file_name, i]));
const all = CLINICAL_COLUMNS[3];
const testAll = readImageCohortRows(cohortDir, all, 'test');
const test = testAll.filter((r) => byFile.has(r.image));
const train = readImageCohortRows(cohortDir, all, 'train');
const testRows = Int32Array.from(test, (r) => byFile.get(r.image)!);
const time = Float64Array.from(test, (r) => r.time);
const event = Float64Array.from(test, (r) => r.event);

// CoxPH model 3 on the training rows (the study's clinical reference).
const xTrain = clinicalMatrix(train.map((r) => r.clinical), all, (i) => train[i].where);
const xTest = clinicalMatrix(test.map((r) => r.clinical), all, (i) => test[i].where);
const p = all.length;
const cox = coxph({ time: train.map((r) => r.time), event: train.map((r) => r.event), covariates: all.map((_, j) => Float64Array.from(train, (_, i) => xTrain[i * p + j])), names: all });
const coxRisk = Float64Array.from(test, (_, i) => all.reduce((s, _c, j) => s + cox.coef[j] * xTest[i * p + j], 0));

// truth.json: each test patient's true and best clinical-only linear predictor.
const truth = JSON.parse(readFileSync(join(cohortDir, 'truth.json'), 'utf8')) as { patients: { patient_id: string; linear_predictor: number; best_clinical_predictor: number }[] };
const table = readCsv(join(cohortDir, 'cohort.csv'));
const idOf = new Map(table.strings('image').map((im, i) => [im, table.strings('patient_id')[i]]));
const truthById = new Map(truth.patients.map((t) => [t.patient_id, t]));
const oracle = Float64Array.from(test, (r) => truthById.get(idOf.get(r.image)!)!.linear_predictor);
const clinicalBest = Float64Array.from(test, (r) => truthById.get(idOf.get(r.image)!)!.best_clinical_predictor);

const cOf = (score: Float64Array, rows: Int32Array): number => concordance(take(time, rows), take(Uint8Array.from(event), rows), take(score, rows)).c;
const rng = new Random(20261130);
const resamples = Array.from({ length: B }, () => rng.resample(test.length));
const pct = (v: number[], q: number): number => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1) + 0.5)))];
};
const ci = (f: (rows: Int32Array) => number): { estimate: number; ci95: [number, number] } => {
  const reps = resamples.map(f);
  return { estimate: f(Int32Array.from({ length: test.length }, (_, i) => i)), ci95: [pct(reps, 0.025), pct(reps, 0.975)] };
};

const keypointsInput = (variant.manifest.inputs as { keypoints?: { path: string; format: string } } | undefined)?.keypoints;
const results: Record<string, unknown> = {
  test: {
    n: test.length, events: test.filter((r) => r.event === 1).length,
    split_rows: testAll.length, split_events: testAll.filter((r) => r.event === 1).length,
    left_out_by_preprocessing: testAll.length - test.length,
    left_out_events: testAll.filter((r) => r.event === 1 && !byFile.has(r.image)).length,
  },
  test_keypoints: keypointsInput ?? null,
  preprocessing: variant.params,
  bootstrap: { B, method: 'percentile, test rows resampled with replacement, seed 20261130' },
  coxph_model3: ci((r) => cOf(coxRisk, r)),
  oracle: ci((r) => cOf(oracle, r)),
  clinical_only_best: ci((r) => cOf(clinicalBest, r)),
  models: [] as unknown[],
};

const models: ImageModel[] = [];
for (const dir of modelDirs) {
  const model = loadImageModel(dir);
  models.push(model);
  const started = performance.now();
  const risk = noGrad(() => scope(() => model.score(variant.images.indexSelect(0, tensor(testRows, [testRows.length], { dtype: 'int64' })), test.map((r) => r.clinical))));
  const seconds = (performance.now() - started) / 1000;
  (results.models as unknown[]).push({
    model: dir,
    mode: model.mode,
    covariates: model.covariates,
    harrell: ci((r) => cOf(risk, r)),
    harrell_check: harrellC(time, event, risk).c,
    minus_coxph_model3: ci((r) => cOf(risk, r) - cOf(coxRisk, r)),
    share_of_oracle_gain: ci((r) => {
      const cc = cOf(clinicalBest, r);
      return (cOf(risk, r) - cc) / (cOf(oracle, r) - cc);
    }),
    scoring_seconds: seconds,
  });
}

if (heatmaps > 0 && models.length > 0) {
  const model = models[0];
  manualSeed(12345);
  const random = new ImageSurvNetwork(model.config, model.input.channels, model.covariates.length);
  const randomModel = new ImageModel(random, model.config, model.covariates, model.standardization, model.baseline, model.trainingRisks, model.ranges, model.input, model.preprocessing, null);
  let noRho = 0;
  const inside: number[] = [], areaPatch: number[] = [], areaImage: number[] = [], rho: number[] = [];
  const maskCol = table.strings('mask');
  const imageCol = table.strings('image');
  for (let k = 0; k < Math.min(heatmaps, test.length); k++) {
    const row = test[k];
    const vrow = testRows[k];
    const one = variant.images.narrow(0, vrow, 1);
    const cam = gradCam(model, one, row.clinical);
    const camRandom = gradCam(randomModel, one, row.clinical);
    one.dispose();
    // Spearman is undefined when a map is constant (Grad-CAM is all zero when nothing raises the risk).
    const r = spearman(cam.maps, camRandom.maps);
    if (Number.isFinite(r)) rho.push(r);
    else noRho += 1;
    const tr = variant.transforms[String(variant.index.rows[vrow].image_id)];
    if (transformMatrices(tr).length !== cam.channels) throw new Error(`transforms.json entry ${variant.index.rows[vrow].image_id} does not have ${cam.channels} channels`);
    const image = await readRadiograph(join(cohortDir, row.image));
    const heat = warpHeatmapBack(cam.maps, cam.size, tr, image.rows, image.columns);
    const footprint = warpHeatmapBack(new Float32Array(cam.maps.length).fill(1), cam.size, tr, image.rows, image.columns);
    const maskFile = join(cohortDir, maskCol[imageCol.indexOf(row.image)]);
    const mask = (await readImageFile(maskFile, readFileSync(maskFile), 'png')).pixels;
    let hm = 0, hIn = 0, fp = 0, fpIn = 0, mAll = 0;
    for (let i = 0; i < heat.length; i++) {
      const m = mask[i] > 0 ? 1 : 0;
      hm += heat[i];
      hIn += heat[i] * m;
      const f = footprint[i] > 0.5 ? 1 : 0;
      fp += f;
      fpIn += f * m;
      mAll += m;
    }
    if (hm > 0) inside.push(hIn / hm);
    areaPatch.push(fpIn / fp);
    areaImage.push(mAll / heat.length);
  }
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const median = (v: number[]): number => pct(v, 0.5);
  results.gradcam = {
    model: modelDirs[0],
    patients: Math.min(heatmaps, test.length),
    heat_mass_inside_body_masks: { mean: mean(inside), median: median(inside), with_heat: inside.length },
    mask_area_share_of_patch_footprint: { mean: mean(areaPatch) },
    mask_area_share_of_image: { mean: mean(areaImage) },
    randomisation_spearman: { mean: mean(rho), median: median(rho), max: Math.max(...rho), defined_for: rho.length, undefined_constant_map: noRho },
  };
  randomModel.dispose();
}
for (const m of models) m.dispose();
variant.images.dispose();
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
