// `spinesurv predict` with an image model: the CLI.md JSON shape for one radiograph, the batch form,
// and every bad input refused with exit 2 and a message naming what is wrong (never a number).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDicom } from '../../../src/imaging/index.js';
import { FAST_FIT, runCli, smallCohort } from './fixtures.js';

const setup = (async () => {
  const f = await smallCohort(120, 3);
  const model = join(f.dir, 'model');
  const landmarks = join(f.dir, 'landmarks-model');
  mkdirSync(landmarks);
  writeFileSync(join(landmarks, 'model.json'), '{"kind": "keypoints"}\n');
  const r = runCli(['imagesurv', 'fit', '--cohort', f.cohort, '--variant', f.patches, '--out', model, ...FAST_FIT, '--epochs', '2', '--clinical', '1', '--landmarks', landmarks]);
  if (r.status !== 0) throw new Error(r.stderr);
  const coco = JSON.parse(readFileSync(join(f.cohort, 'keypoints.json'), 'utf8')) as { images: { id: number; file_name: string }[]; annotations: { image_id: number; keypoints: number[] }[] };
  const kp = coco.annotations[0].keypoints;
  const flat = [0, 1, 2, 3, 4].flatMap((i) => [kp[3 * i], kp[3 * i + 1]]);
  return { ...f, model, image: join(f.cohort, coco.images[0].file_name), imageName: coco.images[0].file_name, kp: flat.join(',') };
})();
after(async () => rmSync((await setup).dir, { recursive: true, force: true }));

test('one radiograph: risk, survival at 1/3/5 years, percentile, keypoints, flags, model; the heatmap PNG', async () => {
  const s = await setup;
  const heat = join(s.dir, 'heat.png');
  const r = runCli(['predict', '--model', s.model, '--image', s.image, '--keypoints', s.kp, '--age', '62', '--sex', 'F', '--heatmap', heat, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { risk: number; surv: Record<string, number>; percentile: number; keypoints: number[]; flags: string[]; model: { name: string; version: number } };
  assert.deepEqual(Object.keys(out).sort(), ['flags', 'keypoints', 'model', 'percentile', 'risk', 'surv', 'warnings']);
  assert.ok(Number.isFinite(out.risk));
  assert.ok(out.surv['1'] >= out.surv['3'] && out.surv['3'] >= out.surv['5'] && out.surv['5'] > 0 && out.surv['1'] <= 1);
  assert.ok(out.percentile >= 0 && out.percentile <= 100);
  assert.equal(out.keypoints.length, 10);
  assert.deepEqual(out.flags, []);
  assert.equal(out.model.version, 1);
  assert.deepEqual([...readFileSync(heat).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
});

test('batch form: keeps the rows and adds risk and surv_<t>, the same risk as the single form', async () => {
  const s = await setup;
  const csv = join(s.dir, 'batch.csv');
  writeFileSync(csv, `id,image,age,sex\n1,${s.image},62,F\n2,${s.image},62,F\n`);
  const kpFile = join(s.dir, 'kp.json');
  writeFileSync(kpFile, JSON.stringify([{ image_id: 1, file_name: s.image, category_id: 1, keypoints: s.kp.split(',').map(Number).flatMap((v, i) => (i % 2 === 1 ? [v, 2] : [v])), score: 1, flags: [] }]));
  const out = join(s.dir, 'scored.csv');
  const r = runCli(['predict', '--model', s.model, '--data', csv, '--out', out, '--keypoints', kpFile, '--times', '1,5']);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'id,image,age,sex,risk,surv_1,surv_5');
  const single = JSON.parse(runCli(['predict', '--model', s.model, '--image', s.image, '--keypoints', s.kp, '--age', '62', '--sex', 'F', '--json']).stdout) as { risk: number };
  assert.ok(Math.abs(Number(lines[1].split(',')[4]) - single.risk) < 1e-12);
});

test('bad input: exit 2 and a message naming it', async () => {
  const s = await setup;
  const base = ['predict', '--model', s.model, '--image', s.image];
  const cases: [string[], RegExp][] = [
    [[...base, '--keypoints', s.kp, '--sex', 'F'], /missing value for "age"/],
    [[...base, '--keypoints', s.kp, '--age', '62', '--sex', 'X'], /"sex" must be F or M/],
    [[...base, '--age', '62', '--sex', 'F'], /no keypoints/],
  ];
  // Keypoints flagged by the detector, and keypoints out of order.
  const flagged = join(s.dir, 'flagged.json');
  writeFileSync(flagged, JSON.stringify([{ image_id: 1, file_name: s.image, keypoints: Array(15).fill(10), score: 0.1, flags: ['low_confidence'] }]));
  cases.push([[...base, '--keypoints', flagged, '--age', '62', '--sex', 'F'], /keypoints flagged \(low_confidence/]);
  const reversed = s.kp.split(',').map(Number);
  const swapped = [...reversed.slice(8, 10), ...reversed.slice(2, 8), ...reversed.slice(0, 2)];
  cases.push([[...base, '--keypoints', swapped.join(','), '--age', '62', '--sex', 'F'], /keypoints_out_of_order/]);
  // An unreadable image.
  const junk = join(s.dir, 'junk.dcm');
  writeFileSync(junk, 'not an image at all');
  cases.push([['predict', '--model', s.model, '--image', junk, '--keypoints', s.kp, '--age', '62', '--sex', 'F'], /junk\.dcm/]);
  // A radiograph of another body part.
  const chest = join(s.dir, 'chest.dcm');
  writeDicom(chest, { pixels: new Uint16Array(256 * 256).fill(1000), rows: 256, columns: 256, bitsStored: 12, pixelSpacing: [0.3, 0.3], bodyPart: 'CHEST' });
  cases.push([['predict', '--model', s.model, '--image', chest, '--keypoints', s.kp, '--age', '62', '--sex', 'F'], /Body Part Examined is "CHEST"/]);
  // A model folder written by an older version.
  const old = join(s.dir, 'old-model');
  cpSync(s.model, old, { recursive: true });
  const json = JSON.parse(readFileSync(join(old, 'model.json'), 'utf8')) as { format_version: number };
  json.format_version = 0;
  writeFileSync(join(old, 'model.json'), JSON.stringify(json));
  cases.push([['predict', '--model', old, '--image', s.image, '--keypoints', s.kp, '--age', '62', '--sex', 'F'], /format_version 0 was written by an older spinesurv/]);
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('an age outside the training range is scored with a warning in the output', async () => {
  const s = await setup;
  const r = runCli(['predict', '--model', s.model, '--image', s.image, '--keypoints', s.kp, '--age', '95', '--sex', 'F', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { warnings: string[] };
  assert.match(out.warnings.join(' '), /age 95 is outside the training range/);
  assert.equal(existsSync(join(s.dir, 'nothing.png')), false);
});

test('the model folder is self-contained: it holds a copy of the keypoint model it was trained with', async () => {
  const s = await setup;
  const json = JSON.parse(readFileSync(join(s.model, 'model.json'), 'utf8')) as { keypoint_model: { folder: string }; kind: string; format_version: number; training_ranges: Record<string, number[]> };
  assert.equal(json.kind, 'deepsurv_image');
  assert.equal(json.format_version, 1);
  assert.equal(readFileSync(join(s.model, json.keypoint_model.folder, 'model.json'), 'utf8'), '{"kind": "keypoints"}\n');
  assert.deepEqual(Object.keys(json.training_ranges), ['age', 'sex']);
});

test('ResNet-50 encoder, concatenated patch features, image only, no augmentation: fits and scores', async () => {
  const s = await setup;
  const out = join(s.dir, 'r50');
  const fit = runCli(['imagesurv', 'fit', '--cohort', s.cohort, '--variant', s.patches, '--out', out, ...FAST_FIT, '--arch', 'resnet50', '--pool', 'concat', '--clinical', '0', '--epochs', '1', '--no-augment', '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  assert.equal((JSON.parse(fit.stdout) as { mode: string }).mode, 'image-only');
  const r = runCli(['predict', '--model', out, '--image', s.image, '--keypoints', s.kp, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number.isFinite((JSON.parse(r.stdout) as { risk: number }).risk));
});

test('model randomisation: Grad-CAM maps of the trained network differ from those of freshly initialised weights', async () => {
  const s = await setup;
  const { loadImageModel, gradCam, ImageModel, ImageSurvNetwork, readVariantFolder } = await import('../../../src/models/image/index.js');
  const { spearman } = await import('../../../src/models/image/spearman.js');
  const { manualSeed } = await import('../../../src/torch/index.js');
  const model = loadImageModel(s.model);
  manualSeed(99);
  const fresh = new ImageModel(new ImageSurvNetwork(model.config, 5, model.covariates.length), model.config, model.covariates, model.standardization,
    model.baseline, model.trainingRisks, model.ranges, model.input, model.preprocessing, null);
  const variant = readVariantFolder(s.patches);
  const rho: number[] = [];
  for (let i = 0; i < 40 && rho.length < 8; i++) {
    const one = variant.images.narrow(0, i, 1);
    const a = gradCam(model, one, { age: 62, sex: 'F' });
    const b = gradCam(fresh, one, { age: 62, sex: 'F' });
    const r = spearman(a.maps, b.maps);
    if (Number.isFinite(r)) {
      // Positive control: the same network twice gives the same map (Spearman 1).
      if (rho.length === 0) assert.ok(Math.abs(spearman(a.maps, gradCam(model, one, { age: 62, sex: 'F' }).maps) - 1) < 1e-12);
      rho.push(r);
    }
    one.dispose();
  }
  variant.images.dispose();
  model.dispose();
  fresh.dispose();
  assert.ok(rho.length >= 4, `only ${rho.length} non-constant map pairs`);
  const mean = rho.reduce((x, y) => x + y, 0) / rho.length;
  assert.ok(mean < 0.5, `mean Spearman ${mean}`);
});
