// The cross-fitted image ensemble (ensemble-network.ts, cross-fit.ts):
// - members trained in two child processes are bit for bit the members trained one after another here
//   (so the cores used never change a number);
// - the fusion is fitted as R's coxph (Efron) of the out-of-fold image score and the standardised
//   covariates (its calibration to the members' mean: ensemble-calibration.test.ts);
// - the model's risk is, by hand, fusion . [mean of the members' log hazard ratios, z]; its Grad-CAM
//   explains that risk; a saved model scores the same after loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, scope, tensor } from '../../../src/torch/index.js';
import {
  CLINICAL_COLUMNS, DEFAULT_IMAGE_CONFIG, EnsembleSurvNetwork, fuseImageModel, gradCam, loadImageModel, readImageCohortRows, readVariantFolder, saveImageModel,
  trainImageMembers, trainImageMembersInProcesses, type ImageModelConfig,
} from '../../../src/models/image/index.js';
import { imagesAtSize } from '../../../src/models/image/image-batch.js';
import { rscript } from '../../survival/rscript.js';
import { smallCohort } from './fixtures.js';

const fixture = smallCohort(220, 5);

const CONFIG: ImageModelConfig = {
  ...DEFAULT_IMAGE_CONFIG, ensemble: 3, inputSize: 32, clinicalModel: 2, encoder: { arch: 'resnet18', width: 4 }, head: { ...DEFAULT_IMAGE_CONFIG.head, width: 8 },
  training: { ...DEFAULT_IMAGE_CONFIG.training, epochs: 1, batchSize: 16 },
};

test('members trained in two processes are the members trained one after another', async () => {
  const { cohort, patches } = await fixture;
  const variant = readVariantFolder(patches);
  try {
    const rows = readImageCohortRows(cohort, CLINICAL_COLUMNS[2], 'train');
    const here = trainImageMembers({ variant, rows, config: CONFIG, seed: 3 });
    const there = await trainImageMembersInProcesses({ variant, rows, config: CONFIG, seed: 3 }, 2);
    assert.deepEqual([...there.trained.state.keys()], [...here.trained.state.keys()]);
    for (const [k, v] of here.trained.state) assert.deepEqual(there.trained.state.get(k)!.data, v.data, k);
    assert.deepEqual(there.trained.outOfFoldScore, here.trained.outOfFoldScore);
    assert.equal(here.trained.members.length, 3);
  } finally {
    variant.images.dispose();
  }
});

test("the fusion is fitted as R's coxph of the out-of-fold image score and the covariates; the risk is fusion . [mean member score, z]; a saved model scores the same", async () => {
  const { cohort, patches, dir } = await fixture;
  const variant = readVariantFolder(patches);
  try {
    const rows = readImageCohortRows(cohort, CLINICAL_COLUMNS[2], 'train');
    const members = trainImageMembers({ variant, rows, config: CONFIG, seed: 8 });
    const model = fuseImageModel(members, { variant, rows, config: CONFIG });
    const { fitted, coefficients: fusion } = model.training!.ensemble!.fusion;
    const z = model.standardizedClinical(rows.map((r) => r.clinical))!;
    const p = 3;
    const col = (j: number) => Array.from({ length: rows.length }, (_, i) => z[i * p + j]).join(',');
    const r = rscript(
      'v <- function(k) as.numeric(strsplit(args[k], ",")[[1]]); ' +
        'fit <- coxph(Surv(v(1), v(2)) ~ v(3) + v(4) + v(5) + v(6), ties = "efron"); emit(unname(coef(fit)))',
      [rows.map((x) => x.time).join(','), rows.map((x) => x.event).join(','), Array.from(members.trained.outOfFoldScore).join(','), col(0), col(1), col(2)],
    ) as number[];
    fitted.forEach((b, j) => assert.ok(Math.abs(b - r[j]) < 1e-6, `coefficient ${j}: ${b} vs R ${r[j]}`));

    // By hand: each member's log hazard ratio, their mean, then the Cox fusion with the covariates.
    const network = model.network as EnsembleSurvNetwork;
    const all = Int32Array.from({ length: 12 }, (_, i) => i);
    const rowOf = new Map(variant.index.rows.map((x, k) => [x.file_name, k]));
    const picked = variant.images.indexSelect(0, tensor(Int32Array.from(all, (i) => rowOf.get(rows[i].image)!), [all.length], { dtype: 'int64' }));
    const scored = model.score(picked, Array.from(all, (i) => rows[i].clinical));
    const sized = imagesAtSize(picked, CONFIG.inputSize);
    const memberRisks = noGrad(() => scope(() => network.members.map((m) => m.eval().risk(sized.to('float32').div(255), null).toFloat64Array())));
    for (const i of all) {
      const score = memberRisks.reduce((a, m) => a + m[i], 0) / memberRisks.length;
      const byHand = fusion[0] * score + fusion[1] * z[i * p] + fusion[2] * z[i * p + 1] + fusion[3] * z[i * p + 2];
      assert.ok(Math.abs(scored[i] - byHand) < 1e-5, `row ${i}: ${scored[i]} vs ${byHand}`);
    }
    // Grad-CAM of the fused risk reaches every member's maps (one wide last layer).
    const one = picked.narrow(0, 0, 1);
    const cam = gradCam(model, one, rows[0].clinical);
    assert.equal(cam.channels, 5);
    assert.ok(cam.maps.some((v) => v > 0), 'the ensemble has a Grad-CAM map');
    assert.ok(Math.abs(cam.risk - scored[0]) < 1e-5, `Grad-CAM explains the scored risk: ${cam.risk} vs ${scored[0]}`);
    one.dispose();
    const out = join(dir, 'ensemble-model');
    rmSync(out, { recursive: true, force: true });
    await saveImageModel(out, model);
    const back = loadImageModel(out);
    assert.deepEqual(back.score(picked, Array.from(all, (i) => rows[i].clinical)), scored);
    back.dispose();
    model.dispose();
    if (sized !== picked) sized.dispose();
    picked.dispose();
  } finally {
    variant.images.dispose();
  }
});
