// `spinesurv predict` with an image model, the whole chain: read -> the input checks (tags and pixels)
// -> keypoints from the detector stored in the model folder (a tiny one trained here) -> quality flags -> the patch variant with the stored
// preprocess parameters -> risk. References: `landmarks predict` (the detector's own command) for the
// keypoints and flags, and the variant folder written by `spinesurv preprocess` for the model input.
// Also the batch form, the overlay PNG, and every bad input refused with exit 2 naming it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readRadiograph, windowToBytes, writeDicom } from '../../../src/imaging/index.js';
import { blindDetectorModel, FAST_FIT, runCli, smallCohort, tinyDetector } from './fixtures.js';

type Result = { image_id: number; file_name: string; keypoints: number[]; flags: string[] };
type Out = { risk: number; surv: Record<string, number>; percentile: number; keypoints: number[]; flags: string[]; warnings: string[]; model: { name: string; version: number } };

const setup = (async () => {
  const f = await smallCohort(120, 3);
  const detector = tinyDetector(f.cohort, join(f.dir, 'landmarks'));
  const model = join(f.dir, 'model');
  const r = runCli(['imagesurv', 'fit', '--cohort', f.cohort, '--variant', f.patches, '--out', model, ...FAST_FIT, '--epochs', '2', '--clinical', '1', '--landmarks', detector]);
  if (r.status !== 0) throw new Error(r.stderr);
  // The detector's own command on the test split: the reference for keypoints and flags.
  const kpFile = join(f.dir, 'detected.json');
  const p = runCli(['landmarks', 'predict', '--model', detector, '--cohort', f.cohort, '--split', 'test', '--out', kpFile]);
  if (p.status !== 0) throw new Error(p.stderr);
  const detected = JSON.parse(readFileSync(kpFile, 'utf8')) as Result[];
  const good = detected.filter((d) => d.flags.length === 0);
  if (good.length < 2) throw new Error(`the tiny detector flagged ${detected.length - good.length} of ${detected.length} test images`);
  const image = (d: Result): string => join(f.cohort, d.file_name);
  return { ...f, detector, model, kpFile, good, image: image(good[0]), image2: image(good[1]), imageName: good[0].file_name };
})();
after(async () => rmSync((await setup).dir, { recursive: true, force: true }));

const xy = (k: number[]): number[] => [0, 1, 2, 3, 4].flatMap((i) => [k[3 * i], k[3 * i + 1]]);

test('one radiograph, keypoints from the stored detector: the CLI.md shape, the keypoints `landmarks predict` finds, survival and percentile', async () => {
  const s = await setup;
  const r = runCli(['predict', '--model', s.model, '--image', s.image, '--age', '62', '--sex', 'F', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Out;
  assert.deepEqual(Object.keys(out).sort(), ['flags', 'keypoints', 'model', 'percentile', 'risk', 'surv', 'warnings']);
  assert.ok(Number.isFinite(out.risk));
  assert.ok(out.surv['1'] >= out.surv['3'] && out.surv['3'] >= out.surv['5'] && out.surv['5'] > 0 && out.surv['1'] <= 1);
  assert.ok(out.percentile >= 0 && out.percentile <= 100);
  assert.deepEqual(out.flags, []);
  assert.deepEqual(out.model, { name: 'deepsurv_image_clinical1', version: 4 });
  // landmarks predict rounds to 3 decimals.
  const ref = xy(s.good[0].keypoints);
  out.keypoints.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 6e-4, `keypoint ${i}: ${v} vs ${ref[i]}`));
  // The same keypoints given through --keypoints (the detector's results file) score the same.
  const given = runCli(['predict', '--model', s.model, '--image', s.image, '--keypoints', s.kpFile, '--age', '62', '--sex', 'F', '--json']);
  assert.equal(given.status, 0, given.stderr);
  assert.ok(Math.abs((JSON.parse(given.stdout) as Out).risk - out.risk) < 1e-3);
});

test('predict cuts the input exactly as `spinesurv preprocess` did for training: same risk as scoring the variant row', async () => {
  const s = await setup;
  // The cohort's annotated keypoints (a COCO file, (0, 0)-centre convention, shifted as preprocess does).
  const r = runCli(['predict', '--model', s.model, '--image', s.image, '--keypoints', join(s.cohort, 'keypoints.json'), '--age', '62', '--sex', 'F', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const risk = (JSON.parse(r.stdout) as Out).risk;
  const { loadImageModel, readVariantFolder } = await import('../../../src/models/image/index.js');
  const model = loadImageModel(s.model);
  const variant = readVariantFolder(s.patches);
  const row = variant.index.rows.findIndex((x) => x.file_name === s.imageName);
  assert.ok(row >= 0);
  const one = variant.images.narrow(0, row, 1);
  const expected = model.score(one, [{ age: 62, sex: 'F' }])[0];
  one.dispose();
  variant.images.dispose();
  model.dispose();
  assert.ok(Math.abs(risk - expected) < 1e-9, `predict ${risk} vs variant row ${expected}`);
});

test('the heatmap overlay: a PNG of the radiograph size, coloured only near the spine', async () => {
  const s = await setup;
  const heat = join(s.dir, 'heat.png');
  const r = runCli(['predict', '--model', s.model, '--image', s.image, '--age', '62', '--sex', 'F', '--heatmap', heat]);
  assert.equal(r.status, 0, r.stderr);
  const image = await readRadiograph(s.image);
  const { data, info } = await sharp(readFileSync(heat)).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [image.columns, image.rows, 3]);
  // The top-left corner is far from every patch: plain grey, the windowed image itself.
  const grey = windowToBytes(image.pixels, image.window);
  for (const i of [0, 1, image.columns + 2]) assert.deepEqual([data[3 * i], data[3 * i + 1], data[3 * i + 2]], [grey[i], grey[i], grey[i]]);
});

test('batch form: keeps the rows, adds risk and surv_<t> with the detector, the same risk as the single form', async () => {
  const s = await setup;
  const csv = join(s.dir, 'batch.csv');
  writeFileSync(csv, `id,image,age,sex\n1,${s.image},62,F\n2,${s.image2},70,M\n`);
  const out = join(s.dir, 'scored.csv');
  const r = runCli(['predict', '--model', s.model, '--data', csv, '--out', out, '--times', '1,5']);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'id,image,age,sex,risk,surv_1,surv_5');
  assert.equal(lines.length, 3);
  const single = (image: string, age: string, sex: string): number => JSON.parse(runCli(['predict', '--model', s.model, '--image', image, '--age', age, '--sex', sex, '--json']).stdout).risk;
  assert.ok(Math.abs(Number(lines[1].split(',')[4]) - single(s.image, '62', 'F')) < 1e-12);
  assert.ok(Math.abs(Number(lines[2].split(',')[4]) - single(s.image2, '70', 'M')) < 1e-12);
  // --keypoints with a results file overrides the detector for every row.
  const out2 = join(s.dir, 'scored2.csv');
  const g = runCli(['predict', '--model', s.model, '--data', csv, '--out', out2, '--keypoints', s.kpFile]);
  assert.equal(g.status, 0, g.stderr);
  assert.ok(Math.abs(Number(readFileSync(out2, 'utf8').trim().split('\n')[1].split(',')[4]) - Number(lines[1].split(',')[4])) < 1e-3);
});

test('a blank image is refused before the detector: exit 2 naming the file and the reason, no risk', async () => {
  const s = await setup;
  const blank = join(s.dir, 'blank.dcm');
  writeDicom(blank, { pixels: new Uint16Array(256 * 256).fill(1000), rows: 256, columns: 256, bitsStored: 12, pixelSpacing: [0.3, 0.3] });
  // The detector's keypoints are not asked for, so given ones do not get it scored either.
  for (const keypoints of [[], ['--keypoints', xy(s.good[0].keypoints).join(',')]]) {
    const r = runCli(['predict', '--model', s.model, '--image', blank, ...keypoints, '--age', '62', '--sex', 'F', '--json']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim(), `spinesurv predict: ${blank}: not a lateral lumbar radiograph (blank: every pixel has the value 1000); not scored`);
  }
});

test('a radiograph the detector flags exits 2 naming the flags `landmarks predict` reports, and gives no risk', async () => {
  const s = await setup;
  // A detector with zeroed weights flags every radiograph on any CPU; a trained one flags only borderline ones.
  const blind = blindDetectorModel(s.model, join(s.dir, 'blind-model'));
  const refFile = join(s.dir, 'blind.json');
  assert.equal(runCli(['landmarks', 'predict', '--model', blind.detector, '--images', s.image, '--out', refFile]).status, 0);
  const flags = (JSON.parse(readFileSync(refFile, 'utf8')) as Result[])[0].flags;
  assert.ok(flags.length > 0, 'the blind detector flags a radiograph');
  const r = runCli(['predict', '--model', blind.model, '--image', s.image, '--age', '62', '--sex', 'F', '--json']);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`${s.image}: keypoints flagged (`), r.stderr);
  for (const f of flags) assert.ok(r.stderr.includes(f), `${f} in ${r.stderr}`);
  assert.match(r.stderr, /not scored/);
});

test('bad input: exit 2 and one line naming it', async () => {
  const s = await setup;
  const base = ['predict', '--model', s.model, '--image', s.image];
  const kp = xy(s.good[0].keypoints);
  const cases: [string[], RegExp][] = [
    [[...base, '--sex', 'F'], /missing value for "age"/],
    [[...base, '--age', '62', '--sex', 'X'], /"sex" must be F or M/],
  ];
  // Keypoints flagged in a results file, and keypoints given out of order.
  const flagged = join(s.dir, 'flagged.json');
  writeFileSync(flagged, JSON.stringify([{ image_id: 1, file_name: s.image, keypoints: Array(15).fill(10), score: 0.1, flags: ['low_confidence: L1 0.10 below 0.3'] }]));
  cases.push([[...base, '--keypoints', flagged, '--age', '62', '--sex', 'F'], /keypoints flagged \(flagged by the keypoint detector: low_confidence/]);
  const swapped = [...kp.slice(8, 10), ...kp.slice(2, 8), ...kp.slice(0, 2)];
  cases.push([[...base, '--keypoints', swapped.join(','), '--age', '62', '--sex', 'F'], /keypoints flagged \(order: /]);
  cases.push([[...base, '--keypoints', join(s.dir, 'nope.json'), '--age', '62', '--sex', 'F'], /nope\.json/]);
  // An unreadable image.
  const junk = join(s.dir, 'junk.dcm');
  writeFileSync(junk, 'not an image at all');
  cases.push([['predict', '--model', s.model, '--image', junk, '--age', '62', '--sex', 'F'], /junk\.dcm/]);
  // A radiograph of another body part.
  const chest = join(s.dir, 'chest.dcm');
  writeDicom(chest, { pixels: new Uint16Array(256 * 256).fill(1000), rows: 256, columns: 256, bitsStored: 12, pixelSpacing: [0.3, 0.3], bodyPart: 'CHEST' });
  cases.push([['predict', '--model', s.model, '--image', chest, '--age', '62', '--sex', 'F'], /Body Part Examined is "CHEST"/]);
  // A real radiograph whose header says CT, and one turned on its side: refused before the detector.
  const ct = join(s.dir, 'ct.dcm');
  cpSync(s.image, ct);
  assert.equal(spawnSync('dcmodify', ['-nb', '-gin', '-m', '(0008,0060)=CT', ct]).status, 0);
  cases.push([['predict', '--model', s.model, '--image', ct, '--age', '62', '--sex', 'F'], /ct\.dcm: not a lateral lumbar radiograph \(Modality is "CT", not a projection radiograph/]);
  const upright = await readRadiograph(s.image);
  const turned = new Uint16Array(upright.pixels.length);
  for (let i = 0; i < upright.columns; i++) for (let j = 0; j < upright.rows; j++) turned[i * upright.rows + j] = upright.pixels[(upright.rows - 1 - j) * upright.columns + i];
  const sideways = join(s.dir, 'sideways.dcm');
  writeDicom(sideways, { pixels: turned, rows: upright.columns, columns: upright.rows, bitsStored: 12, pixelSpacing: [0.3, 0.3] });
  cases.push([['predict', '--model', s.model, '--image', sideways, '--age', '62', '--sex', 'F'], /sideways\.dcm: not a lateral lumbar radiograph \(the image is wider than tall/]);
  // Model folders: an older format (the interim patch cutter's), one without a detector, one made on masks.
  const edited = (name: string, edit: (j: Record<string, any>) => void): string => {
    const dir = join(s.dir, name);
    cpSync(s.model, dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, any>;
    edit(json);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  };
  const old = edited('old-model', (j) => (j.format_version = 1));
  cases.push([['predict', '--model', old, '--image', s.image, '--age', '62', '--sex', 'F'], /format_version 1 was written by an older spinesurv/]);
  const noDetector = edited('no-detector', (j) => (j.keypoint_model = null));
  cases.push([['predict', '--model', noDetector, '--image', s.image, '--age', '62', '--sex', 'F'], /no-detector\/model\.json: the model has no keypoint detector .*--keypoints/]);
  const masks = edited('masks-model', (j) => (j.preprocessing.masks = j.input.masks = true));
  cases.push([['predict', '--model', masks, '--image', s.image, '--age', '62', '--sex', 'F'], /with vertebral-body masks, which a new radiograph does not have/]);
  const badParams = edited('bad-params', (j) => (j.preprocessing.margin = -1));
  cases.push([['predict', '--model', badParams, '--image', s.image, '--age', '62', '--sex', 'F'], /bad-params\/model\.json: preprocessing parameters are invalid: .*margin/]);
  // imagesurv fit: --landmarks that is not a detector is refused before training.
  const notDetector = join(s.dir, 'not-detector');
  cpSync(s.detector, notDetector, { recursive: true });
  writeFileSync(join(notDetector, 'model.json'), '{"kind": "keypoints"}\n');
  cases.push([['imagesurv', 'fit', '--cohort', s.cohort, '--variant', s.patches, '--out', join(s.dir, 'never'), '--landmarks', notDetector], /not-detector\/model\.json: not a keypoint detector/]);
  // A variant folder whose manifest parameters do not describe its images, and one without parameters.
  const variantWith = (name: string, edit: (m: Record<string, any>) => void): string => {
    const dir = join(s.dir, name);
    cpSync(s.patches, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, any>;
    edit(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  };
  const resized = variantWith('resized-variant', (m) => (m.parameters.patchSize = 48));
  cases.push([['imagesurv', 'fit', '--cohort', s.cohort, '--variant', resized, '--out', join(s.dir, 'never')], /resized-variant\/manifest\.json: parameters \(patches, 48 px\) do not match index\.json \(patches, 32 px\)/]);
  const bare = variantWith('bare-variant', (m) => delete m.parameters);
  cases.push([['imagesurv', 'fit', '--cohort', s.cohort, '--variant', bare, '--out', join(s.dir, 'never')], /bare-variant\/manifest\.json: no preprocessing parameters/]);
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(existsSync(join(s.dir, 'never')), false);
});

test('an age outside the training range is scored with a warning in the output', async () => {
  const s = await setup;
  const r = runCli(['predict', '--model', s.model, '--image', s.image, '--age', '95', '--sex', 'F', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Out;
  assert.match(out.warnings.join(' '), /age 95 is outside the training range/);
});

test('the model folder is self-contained: a copy of the detector and the preprocess parameters; it scores with the original detector gone', async () => {
  const s = await setup;
  const json = JSON.parse(readFileSync(join(s.model, 'model.json'), 'utf8')) as { keypoint_model: { folder: string }; kind: string; format_version: number; training_ranges: Record<string, number[]>; preprocessing: Record<string, unknown> };
  assert.equal(json.kind, 'deepsurv_image');
  assert.equal(json.format_version, 4);
  for (const f of ['model.json', 'weights.safetensors']) assert.deepEqual(readFileSync(join(s.model, json.keypoint_model.folder, f)), readFileSync(join(s.detector, f)));
  assert.deepEqual(json.preprocessing, (JSON.parse(readFileSync(join(s.patches, 'manifest.json'), 'utf8')) as { parameters: unknown }).parameters);
  assert.deepEqual(Object.keys(json.training_ranges), ['age', 'sex']);
  const before = runCli(['predict', '--model', s.model, '--image', s.image, '--age', '62', '--sex', 'F', '--json']);
  const away = `${s.detector}.away`;
  renameSync(s.detector, away);
  try {
    const r = runCli(['predict', '--model', s.model, '--image', s.image, '--age', '62', '--sex', 'F', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Out).risk, (JSON.parse(before.stdout) as Out).risk);
  } finally {
    renameSync(away, s.detector);
  }
});

test('a slope update\'s "risk_scale" (validate --recalibrate slope) multiplies the risk; the percentile is unchanged; a bad one exits 2', async () => {
  const s = await setup;
  const scaled = join(s.dir, 'model-scaled');
  cpSync(s.model, scaled, { recursive: true });
  const json = JSON.parse(readFileSync(join(scaled, 'model.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(scaled, 'model.json'), JSON.stringify({ ...json, risk_scale: 0.5 }));
  const args = ['--image', s.image, '--keypoints', s.kpFile, '--age', '62', '--sex', 'F', '--json'];
  const before = JSON.parse(runCli(['predict', '--model', s.model, ...args]).stdout) as Out;
  const r = runCli(['predict', '--model', scaled, ...args]);
  assert.equal(r.status, 0, r.stderr);
  const after = JSON.parse(r.stdout) as Out;
  assert.ok(Math.abs(after.risk - 0.5 * before.risk) < 1e-9, `${after.risk} vs half of ${before.risk}`);
  // The training risks are scaled alike, so the patient's rank among them stays.
  assert.equal(after.percentile, before.percentile);
  writeFileSync(join(scaled, 'model.json'), JSON.stringify({ ...json, risk_scale: -1 }));
  const bad = runCli(['predict', '--model', scaled, ...args]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"risk_scale" must be a positive number/);
});

test('ResNet-50 encoder, concatenated patch features, image only, no augmentation, no detector: fits and scores given keypoints', async () => {
  const s = await setup;
  const out = join(s.dir, 'r50');
  const fit = runCli(['imagesurv', 'fit', '--cohort', s.cohort, '--variant', s.patches, '--out', out, ...FAST_FIT, '--arch', 'resnet50', '--pool', 'concat', '--clinical', '0', '--epochs', '1', '--no-augment', '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  assert.equal((JSON.parse(fit.stdout) as { mode: string }).mode, 'image-only');
  const r = runCli(['predict', '--model', out, '--image', s.image, '--keypoints', xy(s.good[0].keypoints).join(','), '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number.isFinite((JSON.parse(r.stdout) as Out).risk));
});

test('model randomisation: Grad-CAM maps of the trained network differ from those of freshly initialised weights', async () => {
  const s = await setup;
  const { loadImageModel, gradCam, ImageModel, ImageSurvNetwork, readVariantFolder } = await import('../../../src/models/image/index.js');
  const { spearman } = await import('../../../src/models/image/spearman.js');
  const { manualSeed } = await import('../../../src/torch/index.js');
  // Without the clinical fallback: a model that fell back to the Cox model (likely after 2 epochs on
  // 120 patients) has a zero image head, hence constant maps.
  const joint = join(s.dir, 'joint');
  const fit = runCli(['imagesurv', 'fit', '--cohort', s.cohort, '--variant', s.patches, '--out', joint, ...FAST_FIT, '--epochs', '2', '--clinical', '1', '--no-clinical-fallback']);
  assert.equal(fit.status, 0, fit.stderr);
  const model = loadImageModel(joint);
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
