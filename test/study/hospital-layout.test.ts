/**
 * The whole study, image half included, on a researcher's own layout: the same patients written once
 * in the CLI.md layout and once as a hospital might hand them over (data.csv with its own column
 * names, sex coded 1/2, follow-up in months, yes/no events and binaries, splits named dev/val,
 * radiographs without extension in nested folders, some named by absolute path, a keypoints file
 * named in study.json whose file_names are written with ./ and backslashes, and which annotates only
 * part of the training split). The reference is the canonical layout's study: every model's C-index
 * must agree to 1e-6, since the study reads the cohort once, through study.json, in every stage.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../../src/synth/index.js';
import { formatCsv, readCsv } from '../../src/util/csv.js';
import type { StudyResults } from '../../src/report/results.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

interface Coco {
  images: { id: number; file_name: string }[];
  annotations: { image_id: number }[];
  categories: unknown[];
}

let work: string;
let canonical: string;
let hospital: string;
let canonicalConfig: string;
let hospitalConfig: string;
/** Training rows (by index in the file) left unannotated, and the test rows. */
let unannotatedTrain = 0;
let testRows = 0;

const analysis = {
  bootstrap: 20, subgroups: ['all'], deepsurv: { epochs: 20, patience: 5 },
  images: { keypoints: 'annotated', landmark_epochs: 1, variants: ['full-l1l5'], variant_folds: 2, variant_epochs: 1, epochs: 2, ensemble: 2 },
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-hospital-layout-'));
  canonical = join(work, 'canonical');
  await generateCohort({ out: canonical, patients: 300, size: 256, seed: 2, workers: 0 });
  const table = readCsv(join(canonical, 'cohort.csv'));
  const col = (name: string) => table.header.indexOf(name);
  const rows = table.rows.map((r) => [...r]);

  // One in ten training radiographs is left unannotated (the detector predicts them); the test
  // split stays annotated, and those annotations are never used to train anything.
  const coco = JSON.parse(readFileSync(join(canonical, 'keypoints.json'), 'utf8')) as Coco;
  const idOfImage = new Map(coco.images.map((im) => [im.file_name, im.id]));
  const dropIds = new Set<number>();
  let trainIndex = 0;
  for (const r of rows) {
    if (r[col('split')] === 'test') { testRows++; continue; }
    if (trainIndex++ % 10 === 9) dropIds.add(idOfImage.get(r[col('image')])!);
  }
  unannotatedTrain = dropIds.size;
  coco.annotations = coco.annotations.filter((a) => !dropIds.has(a.image_id));
  writeFileSync(join(canonical, 'keypoints.json'), JSON.stringify(coco));
  canonicalConfig = join(work, 'canonical.json');
  writeFileSync(canonicalConfig, JSON.stringify(analysis));

  // The hospital's layout of the same rows, in the same order.
  hospital = join(work, 'hospital');
  const newName = new Map<string, string>();
  const out = rows.map((r, i) => {
    const site = i % 3 === 0 ? 'site-a' : 'site-b';
    const rel = `radiographs/${site}/${String(i).padStart(3, '0')}/IMG0001`;
    mkdirSync(join(hospital, 'radiographs', site, String(i).padStart(3, '0')), { recursive: true });
    copyFileSync(join(canonical, r[col('image')]), join(hospital, rel));
    // Every tenth radiograph is named by its absolute path.
    const cell = i % 10 === 0 ? join(hospital, rel) : rel;
    // The keypoints file writes the same name its own way: Windows separators, or a leading ./.
    newName.set(r[col('image')], i % 10 === 0 ? cell : i % 2 === 0 ? rel.replaceAll('/', '\\') : `./${rel}`);
    const yn = (v: string) => (v === '1' ? 'yes' : v === '0' ? 'no' : v);
    return [
      r[col('patient_id')], cell, r[col('age')], r[col('sex')] === 'F' ? '2' : '1', r[col('bmi')],
      yn(r[col('glucocorticoid')]), yn(r[col('secondary_osteoporosis')]), yn(r[col('rheumatoid_arthritis')]),
      yn(r[col('prior_fracture')]), r[col('bmd_tscore')], r[col('frax_mof')],
      String(Number(r[col('followup_years')]) * 12), yn(r[col('fracture')]), r[col('split')] === 'train' ? 'dev' : 'val',
    ];
  });
  writeFileSync(join(hospital, 'data.csv'), formatCsv(
    ['pid', 'radiograph', 'age_y', 'gender', 'bmi_kg_m2', 'steroid', 'secondary_op', 'ra', 'prior_fx', 'tscore', 'frax', 'fu_months', 'vfx', 'cohort'],
    out,
  ));
  for (const im of coco.images) im.file_name = newName.get(im.file_name)!;
  mkdirSync(join(hospital, 'annotations'));
  writeFileSync(join(hospital, 'annotations', 'l1-l5.json'), JSON.stringify(coco));
  copyFileSync(join(canonical, 'truth.json'), join(hospital, 'truth.json'));
  hospitalConfig = join(work, 'hospital.json');
  writeFileSync(hospitalConfig, JSON.stringify({
    ...analysis,
    cohort_file: 'data.csv',
    keypoints_file: 'annotations/l1-l5.json',
    columns: {
      patient_id: 'pid', image: 'radiograph', mask: null, age: 'age_y', sex: 'gender', bmi: 'bmi_kg_m2', glucocorticoid: 'steroid',
      secondary_osteoporosis: 'secondary_op', rheumatoid_arthritis: 'ra', prior_fracture: 'prior_fx', bmd_tscore: 'tscore',
      frax_mof: 'frax', followup_years: 'fu_months', fracture: 'vfx', split: 'cohort',
    },
    time_unit: 'months',
    codes: { sex: { 1: 'M', 2: 'F' }, fracture: { yes: '1', no: '0' }, binary: { yes: '1', no: '0' }, split: { dev: 'train', val: 'test' } },
  }));
});

after(() => rmSync(work, { recursive: true, force: true }));

test('a hospital layout with partial annotations gives every model the C-index of the canonical layout', () => {
  const studies = [[canonical, canonicalConfig, 'out-canonical'], [hospital, hospitalConfig, 'out-hospital']].map(([cohort, config, name]) => {
    const out = join(work, name);
    const r = cli(['study', '--cohort', cohort, '--out', out, '--config', config, '--seed', '4']);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as StudyResults;
  });
  const [a, b] = studies;
  assert.deepEqual(b.cohort.train, a.cohort.train);
  assert.deepEqual(b.cohort.test, a.cohort.test);
  assert.deepEqual(b.landmarks!.keypoint_sources, a.landmarks!.keypoint_sources);
  const sources = a.landmarks!.keypoint_sources!;
  assert.equal(sources.predicted_train, unannotatedTrain, 'every unannotated training radiograph got predicted keypoints');
  assert.equal(sources.predicted_test, 0, 'images.keypoints "annotated": the test split keeps its annotations');
  assert.ok(sources.annotated_train > 0);
  const image = a.test.models.filter((m) => m.method.startsWith('deepsurv_image'));
  assert.ok(image.length >= 4, 'the image models were fitted');
  assert.deepEqual(b.test.models.map((m) => m.key), a.test.models.map((m) => m.key));
  for (const m of a.test.models) {
    const other = b.test.models.find((x) => x.key === m.key)!;
    assert.ok(Math.abs(other.harrell - m.harrell) < 1e-6, `${m.key}: Harrell's C ${other.harrell} against ${m.harrell}`);
    assert.ok(Math.abs(other.uno - m.uno) < 1e-6, `${m.key}: Uno's C ${other.uno} against ${m.uno}`);
    assert.equal(other.n, m.n, m.key);
  }
  assert.ok(a.cohort.test.n <= testRows);
  // Notes name rows by the hospital's own file, never by cohort.csv.
  assert.ok(!b.notes.some((n) => /cohort\.csv line/.test(n)), b.notes.join('\n'));
});

test('a keypoints file_name that matches no radiograph of the hospital layout is exit 2 naming it, before anything is trained', () => {
  const coco = JSON.parse(readFileSync(join(hospital, 'annotations', 'l1-l5.json'), 'utf8')) as Coco;
  coco.images[5].file_name = 'radiographs/site-z/999/IMG0001';
  writeFileSync(join(hospital, 'annotations', 'typo.json'), JSON.stringify(coco));
  const config = join(work, 'typo.json');
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(hospitalConfig, 'utf8')), keypoints_file: 'annotations/typo.json' }));
  const r = cli(['study', '--cohort', hospital, '--out', join(work, 'out-typo'), '--config', config]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /typo\.json: 1 of \d+ file_name values name no image of .*data\.csv: images\[5\] "radiographs\/site-z\/999\/IMG0001"/);
});
