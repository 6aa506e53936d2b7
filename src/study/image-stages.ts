/**
 * The image half of the study, stage by stage, each reused when unchanged (stage-cache.ts):
 *
 * 1. keypoints: the L1-L5 detector is trained on the annotated training-split radiographs, less one
 *    held-out fold (default) on which its AP and MRE are measured; with `landmark_folds` K > 1 it is
 *    judged by K-fold cross-validation over the annotated training radiographs instead (each fold
 *    predicted by a detector that never saw it) and then trained on all of them. Every test patient
 *    and every unannotated patient gets predicted keypoints (the test split's annotations are never
 *    used); annotated training patients keep their annotations. A prediction the detector flags as
 *    implausible leaves its patient out, counted in the cohort flow.
 * 2. variants: every analysed radiograph is aligned and cut into the six variants (three without
 *    masks in the cohort).
 * 3. variant-cv: the variants are compared by K-fold cross-validation inside the training split (an
 *    image-only DeepSurv per fold; AUROC of the out-of-fold risk for a fracture during follow-up);
 *    the best is used from then on. The test split plays no part.
 * The image survival models themselves are fitted per subgroup by fitImageModel (fit-image-models.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLandmarkModel } from '../landmarks/model.js';
import { detectorTruth, type KeypointResult } from '../landmarks/coco.js';
import { cocoTriplets, type KeypointsFile } from '../keypoints/index.js';
import { trainLandmarkModel } from '../landmarks/train.js';
import { evaluateKeypoints } from '../landmarks/evaluate.js';
import { predictFiles } from '../landmarks/predict-files.js';
import { preprocessCohort, ALL_VARIANT_KEYS, parseVariantKey, type CohortImageList, type VariantKey } from '../preprocess/index.js';
import { DEFAULT_IMAGE_CONFIG, type ImageModelConfig, type ImageTrainingRow } from '../models/image/index.js';
import { readRadiograph } from '../imaging/index.js';
import { computeCacheKey, parallelJobs } from '../torch/compute-mode.js';
import { InputError } from '../util/errors.js';
import { log, progress, type Progress } from '../util/progress.js';
import { Random } from '../util/random.js';
import { toolVersion } from '../util/tool-version.js';
import { imagePathOf, maskPathOf, rowLabel, withoutRows, type Cohort, type CohortRow } from './cohort.js';
import type { StudyConfig } from './config.js';
import { checkAnnotations, checkImages } from './images.js';
import type { KeypointGallery, LandmarkResult, VariantResult, VariantSelection } from '../report/results.js';
import { runStage, sha256File } from './stage-cache.js';
import { keypointPicture, worstCases } from './gallery-tiles.js';
import { compareVariants, type VariantCandidate } from './variants.js';
import { fitAndScoreFold, fitAndScoreFoldInProcess, type VariantFoldJob } from './variant-fold.js';

export interface ImageHalf {
  /** The cohort after the image half's exclusions (unreadable radiographs, flagged keypoints, left out by preprocessing). */
  cohort: Cohort;
  landmarks: LandmarkResult;
  variants: VariantResult[];
  selection: VariantSelection;
  /** The chosen variant's folder (OUT/stages/variants/<key>). */
  chosenFolder: string;
  /** The keypoint detector trained on all annotated training radiographs (OUT/stages/keypoints/model): each image model folder carries a copy. */
  detectorFolder: string;
  keypointGallery: KeypointGallery;
  /** PNG bytes of the galleries, by path relative to OUT. */
  assets: Map<string, Buffer>;
  notes: string[];
  /** Stage name -> reused from the previous OUT. */
  stages: Record<string, boolean>;
}

export interface ImageHalfOptions {
  cohort: Cohort;
  config: StudyConfig;
  seed: number;
  /** The previous OUT (for reuse) and the new OUT being built. */
  previousOut: string | null;
  newOut: string;
}

/** What a cohort row is called in the image models' error messages: never a patient id. */
export function where(row: CohortRow): string {
  return `cohort file line ${row.line}`;
}

export function trainingRow(row: CohortRow): ImageTrainingRow {
  return {
    image: row.image!,
    time: row.time,
    event: row.event,
    clinical: {
      age: row.age, sex: row.female === 1 ? 'F' : 'M', bmi: row.bmi, glucocorticoid: row.glucocorticoid,
      secondary_osteoporosis: row.secondaryOsteoporosis,
    },
    where: where(row),
  };
}

/** The image model configuration of the study's profile, with study.json's overrides. */
export function imageModelConfig(config: StudyConfig, clinicalModel: 0 | 1 | 2 | 3, epochs?: number): ImageModelConfig {
  const base = structuredClone(DEFAULT_IMAGE_CONFIG);
  const s = config.images;
  return {
    ...base,
    encoder: { ...base.encoder, ...(s.encoder ?? {}) },
    inputSize: s.inputSize ?? base.inputSize,
    clinicalModel,
    ensemble: s.ensemble ?? base.ensemble,
    training: { ...base.training, ...(s.epochs !== undefined ? { epochs: s.epochs } : {}), ...(epochs !== undefined ? { epochs } : {}) },
  };
}

export async function runImageHalf(options: ImageHalfOptions): Promise<ImageHalf> {
  const { config, seed } = options;
  const s = config.images;
  let cohort = options.cohort;
  const notes: string[] = [];
  const stages: Record<string, boolean> = {};
  const places = { previousOut: options.previousOut, newOut: options.newOut };

  // Before anything is trained: annotations exist and cover training radiographs; every radiograph reads.
  const coverage = checkAnnotations(cohort, config.keypointsFile);
  const bar = progress('study: reading radiographs', cohort.rows.length);
  const check = await checkImages(cohort, (done) => bar.tick(done));
  bar.done();
  if (check.unreadable.length > 0) {
    for (const u of check.unreadable) notes.push(`${rowLabel(cohort, u.line)}: the radiograph cannot be read (${u.reason}); the patient was left out.`);
    cohort = withoutRows(cohort, new Set(check.unreadable.map((u) => u.line)), 'radiograph cannot be read');
  }
  const truthFile = coverage.file;
  const annotatedTrain = cohort.rows.filter((r) => r.split === 'train' && coverage.trainingAnnotated.has(r.line));
  // The detector's own checks (an object scale for OKS) on every radiograph it may learn from, before any training.
  for (const r of annotatedTrain) detectorTruth(truthFile, coverage.trainingAnnotated.get(r.line)!.imageId);
  const cohortSha = sha256File(cohort.file);
  const keypointsSha = sha256File(coverage.path);
  const analysedLines = cohort.rows.map((r) => r.line);

  // 1. Keypoints.
  const kpStage = await runStage('keypoints', {
    tool: toolVersion(), compute: computeCacheKey(), profile: s.profile, keypoints_used: s.keypoints, landmark_folds: s.landmarkFolds, holdout: s.landmarkHoldout, epochs: s.landmarkEpochs, seed,
    cohort: cohortSha, keypoints: keypointsSha, rows: analysedLines,
  }, places, (dir) => keypointStage(dir, cohort, truthFile, annotatedTrain, config, seed));
  stages.keypoints = kpStage.reused;
  const kp = JSON.parse(readFileSync(join(kpStage.dir, 'summary.json'), 'utf8')) as KeypointSummary;
  const flagged = kp.flagged.filter((f) => cohort.rows.some((r) => r.line === f.line));
  if (flagged.length > 0) {
    for (const f of flagged) notes.push(`${rowLabel(cohort, f.line)}: predicted keypoints flagged (${f.flags.join(', ')}); the patient was left out.`);
    cohort = withoutRows(cohort, new Set(flagged.map((f) => f.line)), 'keypoints flagged as implausible');
  }
  const resultsPath = join(kpStage.dir, 'keypoints.json');

  // 2. Variants.
  const hasMasks = cohort.rows.some((r) => r.mask !== null);
  const available: VariantKey[] = hasMasks ? [...ALL_VARIANT_KEYS] : ALL_VARIANT_KEYS.filter((k) => !parseVariantKey(k).masks);
  const variantKeys = s.variants === null ? available : available.filter((k) => s.variants!.includes(k));
  if (variantKeys.length === 0) throw new InputError(`study.json images.variants: none of ${s.variants!.join(', ')} can be made from this cohort (masks: ${hasMasks ? 'yes' : 'no'})`);
  const vStage = await runStage('variants', {
    tool: toolVersion(), size: s.size, variants: variantKeys, cohort: cohortSha, keypoints: kpStage.key,
  }, places, async (dir) => {
    // The study's own reading of the cohort (study.json's columns, nested or absolute paths), the
    // rows still analysed only: unreadable and flagged radiographs were left out above.
    const images: CohortImageList = {
      file: cohort.file,
      maskColumn: cohort.present.mask,
      rows: cohort.rows.map((r) => ({ line: r.line, image: r.image!, imagePath: imagePathOf(cohort, r), maskPath: maskPathOf(cohort, r) })),
    };
    let bar2: Progress | undefined;
    const summary = await preprocessCohort({
      cohort: cohort.dir, images, keypoints: resultsPath, out: join(dir, 'out'), variants: variantKeys, allVariants: true,
      params: { size: s.size }, createdBy: 'spinesurv study',
      onProgress: (done, total) => (bar2 ??= progress('study: preprocessing the variants', total)).tick(done),
    });
    bar2?.done();
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  });
  stages.variants = vStage.reused;
  const pre = JSON.parse(readFileSync(join(vStage.dir, 'summary.json'), 'utf8')) as { left_out: { line: number; reason: string }[] };
  const leftOut = pre.left_out.filter((l) => cohort.rows.some((r) => r.line === l.line));
  if (leftOut.length > 0) {
    for (const l of leftOut) notes.push(`${rowLabel(cohort, l.line)}: left out by preprocessing (${l.reason}).`);
    cohort = withoutRows(cohort, new Set(leftOut.map((l) => l.line)), 'left out by preprocessing');
  }

  // 3. Variant comparison inside the training split.
  const train = cohort.rows.filter((r) => r.split === 'train');
  const cvStage = await runStage('variant-cv', {
    tool: toolVersion(), compute: computeCacheKey(), folds: s.variantFolds, epochs: s.variantEpochs, image: { ...config.images, ensemble: undefined, modelSeed: undefined }, seed, variants: vStage.key, rows: train.map((r) => r.line),
  }, places, async (dir) => {
    // Every fold in a child process of its own, as many at once as the compute mode runs jobs (one
    // per core in the reproducible mode): the same scores as one after another here (variant-fold.ts).
    const slots = parallelJobs();
    const foldConfig = { ...imageModelConfig(config, 0, s.variantEpochs), ensemble: 1 };
    const candidates: VariantCandidate[] = variantKeys.map((key) => {
      const { variant, masks } = parseVariantKey(key);
      return {
        variant,
        masks,
        // The patches variant runs one network per vertebra: its folds took 27 s against 6 s for a whole-spine variant.
        cost: variant === 'patches' ? 5 : 1,
        fitAndScore: (fit, held, fold) => {
          const job: VariantFoldJob = {
            folder: join(vStage.dir, 'out', key), config: foldConfig, seed: seed + 1000 * fold,
            fitRows: Array.from(fit, (i) => trainingRow(train[i]!)), heldRows: Array.from(held, (i) => trainingRow(train[i]!)),
          };
          return slots > 1 ? fitAndScoreFoldInProcess(job) : fitAndScoreFold(job);
        },
      };
    });
    const t0 = Date.now();
    const results = await compareVariants(candidates, Uint8Array.from(train, (r) => r.event), s.variantFolds, new Random(seed).fork(), (c, k) =>
      log(`study: variant ${c.variant}${c.masks ? ' with masks' : ''}: fold ${k + 1}/${s.variantFolds} (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`), slots);
    writeFileSync(join(dir, 'variants.json'), JSON.stringify(results, null, 2));
  });
  stages['variant-cv'] = cvStage.reused;
  const variants = JSON.parse(readFileSync(join(cvStage.dir, 'variants.json'), 'utf8')) as VariantResult[];
  const chosen = variants.find((v) => v.chosen)!;
  const chosenKey = variantKeys.find((k) => {
    const p = parseVariantKey(k);
    return p.variant === chosen.variant && p.masks === chosen.masks;
  })!;

  if (s.keypoints === 'annotated') {
    notes.push('The variants were cut at the ANNOTATED keypoints of every annotated radiograph, the test split\'s included (study.json images.keypoints = "annotated"): an upper bound for the detector, not the study\'s design.');
  }
  const gallery = await keypointGalleryFrom(kp, cohort);
  return {
    cohort,
    landmarks: kp.landmarks,
    variants,
    selection: {
      folds: s.variantFolds,
      outcome: 'fracture during follow-up (1) or not (0), scored by the out-of-fold risk',
      threshold_rule: "Youden's J on the pooled out-of-fold scores (the score maximising sensitivity + specificity - 1)",
      model: `image-only DeepSurv (${s.variantEpochs} epochs per fold)`,
      chosen: { variant: chosen.variant, masks: chosen.masks },
    },
    chosenFolder: join(vStage.dir, 'out', chosenKey),
    detectorFolder: join(kpStage.dir, 'model'),
    keypointGallery: gallery.gallery,
    assets: gallery.assets,
    notes,
    stages,
  };
}

interface KeypointSummary {
  landmarks: LandmarkResult;
  /** Worst held-out images: line, MRE, predicted (COCO), truth (COCO x, y). */
  worst: { line: number; mre_mm: number; predicted: number[]; truth: number[]; flags: string[] }[];
  flagged: { line: number; flags: string[] }[];
}

async function keypointStage(
  dir: string,
  cohort: Cohort,
  truthFile: KeypointsFile,
  annotatedTrain: CohortRow[],
  config: StudyConfig,
  seed: number,
): Promise<void> {
  const s = config.images;
  const rng = new Random(seed ^ 0x6b70);
  // A row's image in the keypoints file (through the one lookup), or undefined when it is not annotated.
  const entryOf = (r: CohortRow) => truthFile.lookup(r.image!, cohort.dir);
  const idOf = (r: CohortRow) => entryOf(r)!.imageId;
  const fullyAnnotated = (r: CohortRow) => {
    const e = entryOf(r);
    return e !== undefined && e.keypoints !== null && e.problem === null;
  };
  const train = (rows: CohortRow[], out: string) =>
    trainLandmarkModel({
      cohortDir: cohort.dir, out, split: 'train', keypointsPath: truthFile.path, profile: s.profile,
      images: rows.map((r) => ({ imageId: idOf(r), fileName: r.image!, path: imagePathOf(cohort, r) })),
      ...(s.landmarkEpochs !== null ? { epochs: s.landmarkEpochs } : {}), seed,
      onLog: (line) => log(`study: ${line}`),
      // One line per epoch (the step-by-step calls would flood a log file).
      onProgress: (p) => {
        if (p.step === p.steps && p.valAp !== undefined) log(`study: keypoint detector: epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toExponential(3)}, validation AP ${p.valAp.toFixed(3)}`);
      },
    });
  const predict = async (modelDir: string, rows: CohortRow[]) => {
    const model = await loadLandmarkModel(modelDir);
    try {
      const bar = progress('study: predicting keypoints', rows.length);
      const r = await predictFiles(model, rows.map((row, i) => ({ imageId: entryOf(row)?.imageId ?? 1_000_000 + i, fileName: row.image!, path: imagePathOf(cohort, row) })), {
        skipUnreadable: false, onProgress: (done) => bar.tick(done),
      });
      bar.done();
      return r.results;
    } finally {
      model.dispose();
    }
  };

  // Which annotated training radiographs judge the detector: one held-out fold, or K folds.
  const order = Array.from(rng.permutation(annotatedTrain.length));
  const folds = s.landmarkFolds > 1 ? s.landmarkFolds : 1;
  const heldOut: CohortRow[][] = [];
  if (folds > 1) for (let k = 0; k < folds; k++) heldOut.push(order.filter((_, i) => i % folds === k).map((i) => annotatedTrain[i]));
  else heldOut.push(order.slice(0, Math.max(1, Math.round(s.landmarkHoldout * annotatedTrain.length))).map((i) => annotatedTrain[i]));

  const judged: { row: CohortRow; result: KeypointResult }[] = [];
  let finalModel = '';
  for (let k = 0; k < heldOut.length; k++) {
    const held = new Set(heldOut[k]);
    const fitRows = annotatedTrain.filter((r) => !held.has(r));
    const out = join(dir, folds > 1 ? `fold-${k + 1}` : 'model');
    log(`study: keypoint detector${folds > 1 ? ` fold ${k + 1}/${folds}` : ''}: training on ${fitRows.length} annotated training radiographs, judging on ${held.size}`);
    await train(fitRows, out);
    const preds = await predict(out, heldOut[k]);
    preds.forEach((p, i) => judged.push({ row: heldOut[k][i], result: p }));
    if (folds === 1) finalModel = out;
  }
  if (folds > 1) {
    finalModel = join(dir, 'model');
    log(`study: keypoint detector: training on all ${annotatedTrain.length} annotated training radiographs`);
    await train(annotatedTrain, finalModel);
  }

  // The detector's own numbers, on radiographs it did not learn from.
  const spacing = new Map<number, [number, number]>();
  for (const { row } of judged) {
    const id = idOf(row);
    spacing.set(id, truthFile.byImageId.get(id)!.pixelSpacing ?? (await readRadiograph(imagePathOf(cohort, row))).pixelSpacing ?? [1, 1]);
  }
  const truthFor = judged.map(({ row }) => {
    const t = detectorTruth(truthFile, idOf(row));
    return { imageId: t.imageId, keypoints: t.keypoints, area: t.area };
  });
  const evaluation = evaluateKeypoints(judged.map(({ result }) => ({ imageId: result.image_id, keypoints: result.keypoints, score: result.score })), truthFor, spacing);
  const landmarks: LandmarkResult = {
    ap: evaluation.ap, ap50: evaluation.ap50, ap75: evaluation.ap75, mre_mm: evaluation.mre_mm, sdr_2mm: evaluation.sdr_2mm, sdr_4mm: evaluation.sdr_4mm,
    per_vertebra: Object.fromEntries(Object.entries(evaluation.per_vertebra).map(([k, v]) => [k, { mre_mm: v.mre_mm }])),
    evaluation: folds > 1
      ? `${folds}-fold cross-validation over the ${annotatedTrain.length} annotated training-split radiographs (each fold predicted by a detector trained without it)`
      : `one held-out fold (${Math.round(100 * s.landmarkHoldout)}%) of the annotated training-split radiographs: ${judged.length} radiographs the detector did not learn from`,
    images: judged.length,
  };
  const mreByLine = new Map(evaluation.worst_images.map((w) => [w.image_id, w.mre_mm]));
  const errors = judged.map(({ row }) => mreByLine.get(idOf(row)) ?? NaN);
  const worst = worstCases(errors, s.keypointGallery).map((i) => ({
    line: judged[i].row.line,
    mre_mm: errors[i],
    predicted: [0, 1, 2, 3, 4].flatMap((k) => [judged[i].result.keypoints[3 * k], judged[i].result.keypoints[3 * k + 1]]),
    truth: [0, 1, 2, 3, 4].flatMap((k) => [truthFor[i].keypoints[3 * k], truthFor[i].keypoints[3 * k + 1]]),
    flags: judged[i].result.flags,
  }));

  // Keypoints for preprocessing: annotations for annotated training rows, predictions for the rest
  // (with images.keypoints "annotated": every annotation, the test split's included).
  const annotatedLines = new Set(
    s.keypoints === 'annotated'
      ? cohort.rows.filter(fullyAnnotated).map((r) => r.line)
      : annotatedTrain.map((r) => r.line),
  );
  const toPredict = cohort.rows.filter((r) => !annotatedLines.has(r.line));
  landmarks.keypoint_sources = {
    annotated_train: cohort.rows.filter((r) => r.split === 'train' && annotatedLines.has(r.line)).length,
    predicted_train: toPredict.filter((r) => r.split === 'train').length,
    predicted_test: toPredict.filter((r) => r.split === 'test').length,
    unused_test_annotations: cohort.rows.filter((r) => r.split === 'test' && !annotatedLines.has(r.line) && fullyAnnotated(r)).length,
  };
  log(`study: predicting keypoints for ${toPredict.length} radiographs (${toPredict.filter((r) => r.split === 'test').length} test, the rest unannotated training)`);
  const predicted = await predict(finalModel, toPredict);
  const results: KeypointResult[] = [];
  const flagged: KeypointSummary['flagged'] = [];
  const byLine = new Map(toPredict.map((r, i) => [r.line, predicted[i]]));
  for (const row of cohort.rows) {
    const p = byLine.get(row.line);
    if (p !== undefined) {
      results.push(p);
      if (p.flags.length > 0) flagged.push({ line: row.line, flags: p.flags });
      continue;
    }
    const annotated = entryOf(row)!;
    results.push({ image_id: annotated.imageId, file_name: row.image!, category_id: 1, keypoints: cocoTriplets(annotated.keypoints!), score: 1, flags: [] });
  }
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify(results));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ landmarks, worst, flagged } satisfies KeypointSummary, null, 2));
}

async function keypointGalleryFrom(kp: KeypointSummary, cohort: Cohort): Promise<{ gallery: KeypointGallery; assets: Map<string, Buffer> }> {
  const assets = new Map<string, Buffer>();
  const tiles = [];
  for (const [i, w] of kp.worst.entries()) {
    const row = cohort.rows.find((r) => r.line === w.line);
    const path = row?.image ? imagePathOf(cohort, row) : null;
    if (path === null || !existsSync(path)) continue;
    const picture = await keypointPicture(await readRadiograph(path), w.predicted, w.truth, w.flags, `figures/keypoints/${i + 1}.png`);
    assets.set(picture.tile.file, picture.png);
    tiles.push(picture.tile);
  }
  return {
    gallery: { selection: `The detector's ${tiles.length} worst radiographs by mean radial error among those it was judged on (${kp.landmarks.images})`, tiles },
    assets,
  };
}
