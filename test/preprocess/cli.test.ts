import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRadiograph } from '../../src/imaging/index.js';
import { applyAffine, defaultParams, invertAffine, preprocessRadiographs, type Matrix2x3 } from '../../src/preprocess/index.js';
import { readKeypoints } from '../../src/keypoints/index.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const python = '/usr/bin/python3';

let dir = '';
let cohort = '';
const PATIENTS = 16;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'preprocess-cli-'));
  cohort = join(dir, 'cohort');
  const r = run(['synth', '--out', cohort, '--patients', String(PATIENTS), '--size', '256', '--workers', '0']);
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function folderHashes(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[prefix + e.name] = createHash('sha256').update(readFileSync(join(d, e.name))).digest('hex');
    }
  };
  walk(folder, '');
  return out;
}

/** The tensor as Python reads it: header by struct/json, data by numpy (shape, dtype, sum, per-row sums). */
function pythonReadsTensor(file: string): { shape: number[]; dtype: string; sums: number[] } {
  const code = [
    'import json, struct, sys, numpy as np',
    'b = open(sys.argv[1], "rb").read()',
    'n = struct.unpack("<Q", b[:8])[0]',
    'h = json.loads(b[8:8 + n])',
    'e = h["images"]',
    'a = np.frombuffer(b[8 + n + e["data_offsets"][0]:8 + n + e["data_offsets"][1]], dtype=np.uint8).reshape(e["shape"])',
    'print(json.dumps({"shape": list(a.shape), "dtype": e["dtype"], "sums": [int(s) for s in a.reshape(a.shape[0], -1).sum(1)]}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', code, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function readTensorRows(file: string): { shape: number[]; data: Uint8Array } {
  const b = readFileSync(file);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  return { shape: header.images.shape, data: new Uint8Array(b.subarray(8 + n)) };
}

test('--all-variants writes the six variant folders; Python reads the tensors; masks stay inside their own vertebra', async () => {
  const out = join(dir, 'all');
  const before = folderHashes(cohort);
  const r = run(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--all-variants', '--out', out, '--size', '96', '--patch-size', '48', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.processed, PATIENTS);
  assert.deepEqual(summary.left_out, []);
  assert.deepEqual(folderHashes(cohort), before, 'the cohort is never modified');
  const keys = ['full-l1l5', 'full-l1l4', 'patches', 'full-l1l5-masks', 'full-l1l4-masks', 'patches-masks'];
  for (const key of keys) {
    for (const f of ['images.safetensors', 'index.json', 'transforms.json', 'manifest.json', 'contact-sheet.png']) assert.ok(existsSync(join(out, key, f)), `${key}/${f}`);
    const index = JSON.parse(readFileSync(join(out, key, 'index.json'), 'utf8'));
    const C = key.startsWith('patches') ? 5 : 1;
    const S = key.startsWith('patches') ? 48 : 96;
    assert.equal(index.variant, key.replace('-masks', ''));
    assert.equal(index.masks, key.endsWith('-masks'));
    assert.equal(index.size, S);
    assert.equal(index.channels, C);
    assert.equal(index.rows.length, PATIENTS);
    assert.deepEqual(Object.keys(index.rows[0]).sort(), ['file_name', 'image_id']);
    assert.equal(index.rows[0].file_name, 'images/SYN0001.dcm');
    const py = pythonReadsTensor(join(out, key, 'images.safetensors'));
    assert.deepEqual(py.shape, [PATIENTS, C, S, S]);
    assert.equal(py.dtype, 'U8');
    const { data } = readTensorRows(join(out, key, 'images.safetensors'));
    const plane = C * S * S;
    py.sums.forEach((s, i) => assert.equal(s, data.subarray(i * plane, (i + 1) * plane).reduce((a, b) => a + b, 0)));
    const manifest = JSON.parse(readFileSync(join(out, key, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.tensor.shape, [PATIENTS, C, S, S]);
    assert.match(manifest.tensor.scale, /value \/ 255/);
    assert.match(manifest.inputs.keypoints.sha256, /^[0-9a-f]{64}$/);
    assert.equal(manifest.parameters.align, 'similarity');
  }

  // Masks: every kept pixel of a masked output maps back onto its own vertebra's label in the cohort's mask.
  const keypoints = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8'));
  for (const key of ['full-l1l5-masks', 'patches-masks']) {
    const transforms = JSON.parse(readFileSync(join(out, key, 'transforms.json'), 'utf8'));
    const index = JSON.parse(readFileSync(join(out, key, 'index.json'), 'utf8'));
    const { shape, data } = readTensorRows(join(out, key, 'images.safetensors'));
    const [, C, S] = shape;
    let inside = 0;
    let outside = 0;
    for (let row = 0; row < index.rows.length; row++) {
      const { image_id: id, file_name: file } = index.rows[row];
      const mask = await readRadiograph(join(cohort, file.replace('images/', 'masks/').replace('.dcm', '.png')));
      const t = transforms[String(id)];
      const matrices: Matrix2x3[] = C === 1 ? [t.matrix] : t.patches.map((p: { matrix: Matrix2x3 }) => p.matrix);
      const ann = keypoints.annotations.find((a: { image_id: number }) => a.image_id === id);
      for (let c = 0; c < C; c++) {
        const back = invertAffine(matrices[c]);
        for (let y = 0; y < S; y++) {
          for (let x = 0; x < S; x++) {
            if (data[((row * C + c) * S + y) * S + x] === 0) continue;
            const [sx, sy] = applyAffine(back, [x + 0.5, y + 0.5]);
            const label = mask.pixels[Math.floor(sy) * mask.columns + Math.floor(sx)];
            const ok = C === 1 ? label >= 1 && label <= 5 : label === c + 1;
            if (ok) inside++;
            else outside++;
          }
        }
        // The vertebra's own keypoint (in the (0, 0)-centre convention of keypoints.json) falls on its masked body.
        const k = C === 1 ? 2 : c;
        const [kx, ky] = applyAffine(matrices[c], [ann.keypoints[3 * k] + 0.5, ann.keypoints[3 * k + 1] + 0.5]);
        assert.ok(kx >= 0 && ky >= 0 && kx < S && ky < S, `${key} row ${row}: L${k + 1} outside the output`);
        assert.ok(data[((row * C + c) * S + Math.floor(ky)) * S + Math.floor(kx)] > 0, `${key} row ${row}: L${k + 1} keypoint not on its masked body`);
      }
    }
    assert.ok(inside > 1000 && outside === 0, `${key}: ${outside} of ${inside + outside} masked pixels map outside their vertebra`);
  }

  // The library path that `spinesurv predict` takes gives exactly the stored values for the same radiograph.
  const radiograph = await readRadiograph(join(cohort, 'images/SYN0003.dcm'));
  const mask = await readRadiograph(join(cohort, 'masks/SYN0003.png'));
  const kp = readKeypoints(join(cohort, 'keypoints.json')).lookup('images/SYN0003.dcm', cohort)?.keypoints as Float64Array;
  const params = defaultParams('patches', { size: 96, patchSize: 48, masks: true });
  const single = preprocessRadiographs([radiograph], [kp], params, [Uint8Array.from(mask.pixels)]);
  const { data } = readTensorRows(join(out, 'patches-masks', 'images.safetensors'));
  const row = data.subarray(2 * 5 * 48 * 48, 3 * 5 * 48 * 48);
  assert.deepEqual(Array.from(single.tensor, (v) => Math.round(v * 255)), Array.from(row));
  const stored = JSON.parse(readFileSync(join(out, 'patches-masks', 'manifest.json'), 'utf8')).parameters;
  assert.deepEqual(stored, { ...params });
});

test('the same inputs give byte-identical outputs', () => {
  const a = join(dir, 'same-a');
  const b = join(dir, 'same-b');
  for (const out of [a, b]) {
    const r = run(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'full-l1l4', '--masks', '--out', out, '--size', '64']);
    assert.equal(r.status, 0, r.stderr);
  }
  assert.deepEqual(folderHashes(a), folderHashes(b));
  // A second run into the same folder needs --force, and then replaces it.
  const again = run(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'full-l1l4', '--out', a, '--size', '64']);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /--force/);
  const forced = run(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'full-l1l4', '--out', a, '--size', '64', '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  // Rigid alignment: one fixed scale for the cohort, its reference distance recorded with the parameters.
  const rigid = run(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'full-l1l5', '--align', 'rigid', '--out', join(dir, 'rigid'), '--size', '64', '--json']);
  assert.equal(rigid.status, 0, rigid.stderr);
  const reference = JSON.parse(rigid.stdout).parameters.rigidReferenceDistance;
  const lengths = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')).annotations
    .map((a: { keypoints: number[] }) => Math.hypot(a.keypoints[12] - a.keypoints[0], a.keypoints[13] - a.keypoints[1]))
    .sort((x: number, y: number) => x - y);
  assert.ok(Math.abs(reference - (lengths[PATIENTS / 2 - 1] + lengths[PATIENTS / 2]) / 2) < 0.01, `reference ${reference}`);
  const rigidTransforms = JSON.parse(readFileSync(join(dir, 'rigid', 'transforms.json'), 'utf8'));
  for (const t of Object.values(rigidTransforms) as { matrix: number[][] }[]) {
    const [[a, b], [c, d]] = t.matrix;
    assert.ok(Math.abs(Math.sqrt(a * d - b * c) - 64 / (1.5 * reference)) < 1e-9, 'the same scale for every radiograph');
  }
  const foreign = join(dir, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'mine');
  const refused = run(['preprocess', '--cohort', cohort, '--keypoints', join(cohort, 'keypoints.json'), '--variant', 'patches', '--out', foreign, '--force']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /not written by spinesurv/);
});

test('flagged, missing, out-of-order keypoints and unreadable images leave those patients out with a named reason', () => {
  // A copy of the cohort with one image overwritten by garbage, and a results list as `landmarks predict` writes it.
  const broken = join(dir, 'broken');
  cpSync(cohort, broken, { recursive: true });
  writeFileSync(join(broken, 'images', 'SYN0005.dcm'), 'not a dicom file');
  const coco = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8'));
  const results = coco.annotations.map((a: { image_id: number; keypoints: number[] }) => ({
    image_id: a.image_id,
    file_name: coco.images.find((i: { id: number }) => i.id === a.image_id).file_name,
    category_id: 1,
    keypoints: a.keypoints.map((v, i) => (i % 3 === 2 ? v : v + 0.5)),
    score: 0.9,
    flags: [] as string[],
  }));
  results[0].flags = ['implausible_spacing'];
  results[1].keypoints[3 * 2 + 2] = 0; // L3 not found
  const kp = results[2].keypoints;
  [kp[3], kp[4], kp[6], kp[7]] = [kp[6], kp[7], kp[3], kp[4]]; // L2 and L3 swapped
  results.splice(3, 1); // no entry for the fourth image
  writeFileSync(join(dir, 'pred.json'), JSON.stringify(results));
  const out = join(dir, 'left-out');
  const r = run(['preprocess', '--cohort', broken, '--keypoints', join(dir, 'pred.json'), '--variant', 'patches', '--out', out, '--patch-size', '32', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const reasons = manifest.left_out.map((l: { file_name: string; reason: string }) => `${l.file_name}: ${l.reason}`);
  assert.equal(reasons.length, 5, reasons.join('\n'));
  assert.match(reasons[0], /SYN0001.*flagged by the keypoint detector: implausible_spacing/);
  assert.match(reasons[1], /SYN0002.*keypoint L3 missing/);
  assert.match(reasons[2], /SYN0003.*out of order: L3 is not below L2/);
  assert.match(reasons[3], /SYN0004.*no keypoints for this image/);
  assert.match(reasons[4], /SYN0005.*unreadable image/);
  assert.equal(manifest.left_out[0].line, 2);
  assert.equal(manifest.tensor.shape[0], PATIENTS - 5);
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
  assert.equal(index.rows[0].file_name, 'images/SYN0006.dcm');
  assert.match(r.stderr, /5 left out/);
});

test('a cohort without masks: --masks is exit 2 naming what is missing; --all-variants writes the three mask-free variants with a note', () => {
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  symlinkSync(join(cohort, 'images'), join(bare, 'images'));
  const csv = readFileSync(join(cohort, 'cohort.csv'), 'utf8').split('\n');
  const maskColumn = csv[0].split(',').indexOf('mask');
  writeFileSync(join(bare, 'cohort.csv'), csv.map((line) => line.split(',').filter((_, i) => i !== maskColumn).join(',')).join('\n'));
  const kp = join(cohort, 'keypoints.json');
  const masked = run(['preprocess', '--cohort', bare, '--keypoints', kp, '--variant', 'patches', '--masks', '--out', join(dir, 'bare-out')]);
  assert.equal(masked.status, 2);
  assert.match(masked.stderr, /cohort\.csv: has no "mask" column/);
  const all = run(['preprocess', '--cohort', bare, '--keypoints', kp, '--all-variants', '--out', join(dir, 'bare-all'), '--size', '32']);
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(readdirSync(join(dir, 'bare-all')).filter((f) => !f.startsWith('.')).sort(), ['full-l1l4', 'full-l1l5', 'manifest.json', 'patches']);
  assert.match(all.stderr, /no vertebral-body masks/);
  assert.match(JSON.parse(readFileSync(join(dir, 'bare-all', 'manifest.json'), 'utf8')).notes[0], /only the three mask-free variants/);
  // A mask column naming files that are not there: exit 2 naming them.
  const holes = join(dir, 'holes');
  mkdirSync(holes);
  symlinkSync(join(cohort, 'images'), join(holes, 'images'));
  writeFileSync(join(holes, 'cohort.csv'), csv.join('\n'));
  const missing = run(['preprocess', '--cohort', holes, '--keypoints', kp, '--variant', 'full-l1l5', '--masks', '--out', join(dir, 'holes-out')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /mask files missing .*masks\/SYN0001\.png.* and 13 more/);
});

test('bad usage is exit 2 with a one-line reason', () => {
  const kp = join(cohort, 'keypoints.json');
  const noVariant = run(['preprocess', '--cohort', cohort, '--keypoints', kp, '--out', join(dir, 'x')]);
  assert.equal(noVariant.status, 2);
  assert.match(noVariant.stderr, /--variant is required/);
  const inside = run(['preprocess', '--cohort', cohort, '--keypoints', kp, '--variant', 'patches', '--out', join(cohort, 'pre')]);
  assert.equal(inside.status, 2);
  assert.match(inside.stderr, /inside the cohort folder/);
  const badMargin = run(['preprocess', '--cohort', cohort, '--keypoints', kp, '--variant', 'patches', '--out', join(dir, 'y'), '--margin', '-1']);
  assert.equal(badMargin.status, 2);
  assert.match(badMargin.stderr, /margin/);
  const device = run(['preprocess', '--cohort', cohort, '--keypoints', kp, '--variant', 'patches', '--out', join(dir, 'z'), '--device', 'tpu']);
  assert.equal(device.status, 2);
  assert.match(device.stderr, /--device tpu is not available here/);
  assert.equal(run(['preprocess', '--help']).status, 0);
});
