import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../../src/synth/cohort.js';
import { parseCsv } from '../../src/util/csv.js';
import { COHORT_COLUMNS } from '../../src/synth/cohort-csv.js';
import type { CocoKeypoints } from '../../src/synth/keypoints.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));

function fileHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

test('same seed, same bytes: inline and worker-thread rendering write identical folders', async () => {
  const root = mkdtempSync(join(tmpdir(), 'synth-test-'));
  try {
    const a = join(root, 'a');
    const b = join(root, 'b');
    await generateCohort({ out: a, patients: 5, size: 160, seed: 21, workers: 0 });
    await generateCohort({ out: b, patients: 5, size: 160, seed: 21, workers: 2 });
    const ha = fileHashes(a);
    const hb = fileHashes(b);
    assert.equal(ha.size, 5 * 2 + 4 + 1); // + the output marker
    assert.deepEqual([...ha.entries()], [...hb.entries()]);
    // No temporary folders are left beside the output.
    assert.deepEqual(readdirSync(root).sort(), ['a', 'b']);

    const csv = parseCsv(readFileSync(join(a, 'cohort.csv'), 'utf8'), 'cohort.csv');
    assert.deepEqual(csv.header, COHORT_COLUMNS);
    const coco = JSON.parse(readFileSync(join(a, 'keypoints.json'), 'utf8')) as CocoKeypoints;
    assert.deepEqual(coco.categories[0].keypoints, ['L1', 'L2', 'L3', 'L4', 'L5']);
    assert.equal(coco.categories[0].name, 'lumbar_spine');
    const images = csv.strings('image');
    assert.deepEqual(coco.images.map((im) => im.file_name), images);
    for (const im of coco.images) {
      assert.ok(existsSync(join(a, im.file_name)));
      assert.equal(im.height, 160);
      assert.equal(im.width, 128);
    }
    for (const mask of csv.strings('mask')) assert.ok(existsSync(join(a, mask)));
    const truth = JSON.parse(readFileSync(join(a, 'truth.json'), 'utf8')) as { seed: number; patients: { patient_id: string; linear_predictor: number }[] };
    assert.equal(truth.seed, 21);
    assert.deepEqual(truth.patients.map((p) => p.patient_id), csv.strings('patient_id'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('spinesurv synth writes the cohort folder and a JSON summary; bad usage exits 2', () => {
  const root = mkdtempSync(join(tmpdir(), 'synth-cli-'));
  try {
    const out = join(root, 'cohort');
    const r = spawnSync(process.execPath, [bin, 'synth', '--out', out, '--patients', '3', '--size', '128', '--seed', '2', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { patients: number; image: { rows: number; columns: number } };
    assert.equal(summary.patients, 3);
    assert.deepEqual([summary.image.rows, summary.image.columns], [128, 102]);
    for (const f of ['cohort.csv', 'keypoints.json', 'truth.json', 'manifest.json', 'images/SYN0001.dcm', 'masks/SYN0003.png']) assert.ok(existsSync(join(out, f)), f);
    const bad = spawnSync(process.execPath, [bin, 'synth', '--out', out, '--patients', 'many'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--patients/);
    const missing = spawnSync(process.execPath, [bin, 'synth'], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('synth --test-fraction re-deals the split (events keep their share); without it the default 179 of 1,595 is unchanged; out of range exits 2', () => {
  const root = mkdtempSync(join(tmpdir(), 'synth-split-'));
  try {
    const counts = (dir: string) => {
      const { header, rows } = parseCsv(readFileSync(join(dir, 'cohort.csv'), 'utf8'));
      const split = header.indexOf('split'), fracture = header.indexOf('fracture');
      const test = rows.filter((r) => r[split] === 'test');
      return { n: rows.length, test: test.length, events: rows.filter((r) => r[fracture] === '1').length, testEvents: test.filter((r) => r[fracture] === '1').length };
    };
    const half = join(root, 'half');
    const r = spawnSync(process.execPath, [bin, 'synth', '--out', half, '--patients', '400', '--no-images', '--test-fraction', '0.5', '--seed', '3'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const c = counts(half);
    assert.equal(c.test, 200);
    assert.equal(c.testEvents, Math.round((c.events * 200) / 400)); // stratified: the events' share of the test split
    const manifest = JSON.parse(readFileSync(join(half, 'manifest.json'), 'utf8')) as { parameters: { split?: unknown } };
    assert.deepEqual(manifest.parameters.split, { testNumerator: 0.5, testDenominator: 1 });

    const plain = join(root, 'plain');
    assert.equal(spawnSync(process.execPath, [bin, 'synth', '--out', plain, '--no-images'], { encoding: 'utf8' }).status, 0);
    const d = counts(plain);
    assert.deepEqual([d.n, d.test], [1595, 179]);
    const m = JSON.parse(readFileSync(join(plain, 'manifest.json'), 'utf8')) as { parameters: Record<string, unknown> };
    assert.deepEqual(Object.keys(m.parameters), ['patients', 'size', 'seed', 'images']);
    // The default cohort's bytes, as recorded before --test-fraction existed (same for the image-less table).
    assert.equal(createHash('sha256').update(readFileSync(join(plain, 'cohort.csv'))).digest('hex'), '5f2c7510669b6df60566f0d8d273d976335d6945bda9bdf42cba13d2b1730d81');

    for (const bad of ['1', '0', '-0.2', 'half']) {
      const b = spawnSync(process.execPath, [bin, 'synth', '--out', join(root, 'bad'), '--no-images', '--test-fraction', bad], { encoding: 'utf8' });
      assert.equal(b.status, 2, bad);
      assert.match(b.stderr, /--test-fraction/);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
