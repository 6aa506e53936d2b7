/**
 * `synth --site NAME`: each preset changes the one thing it names and keeps the rest. References are
 * outside the code: dcmtk's dcmdump for what the DICOM files say (photometric interpretation, matrix,
 * pixel spacing), the arithmetic the presets state (450 mm / size, size x 0.6, full scale - value),
 * and the default site's own files for what must not change (patients, outcomes, truth).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../../src/synth/cohort.js';
import { siteByName } from '../../src/synth/sites.js';
import { readRadiograph } from '../../src/imaging/index.js';
import { parseCsv } from '../../src/util/csv.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const SIZE = 192;
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'synth-sites-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

async function cohort(name: string | null, patients = 3, images = true): Promise<string> {
  const dir = join(root, `${name ?? 'default'}-${patients}-${images}`);
  await generateCohort({ out: dir, patients, size: SIZE, seed: 4, workers: 0, images, ...(name ? { site: siteByName(name) } : {}) });
  return dir;
}

function dcmdump(file: string): string {
  const r = spawnSync('dcmdump', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dcmdump could not run (${r.error.message}); install dcmtk (scripts/setup.sh)`);
  return r.stdout;
}

const text = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

test('acquisition sites keep the patients, outcomes and truth of the default site; the DICOM files say what changed (dcmdump)', async () => {
  const base = await cohort(null);
  const first = parseCsv(text(base, 'cohort.csv'), 'cohort.csv').strings('image')[0];
  const baseTruth = JSON.parse(text(base, 'truth.json'));
  const basePixels = (await readRadiograph(join(base, first))).pixels;
  for (const name of ['scanner-b', 'monochrome1-b', 'fov-b', 'resolution-b', 'rotation-b']) {
    const dir = await cohort(name);
    assert.equal(text(dir, 'cohort.csv'), text(base, 'cohort.csv'), `${name}: cohort.csv`);
    const truth = JSON.parse(text(dir, 'truth.json'));
    assert.deepEqual(truth.patients.map((p: { linear_predictor?: number }) => p.linear_predictor), baseTruth.patients.map((p: { linear_predictor?: number }) => p.linear_predictor), `${name}: true risks`);
    assert.equal(truth.site.name, name);
    const dump = dcmdump(join(dir, first));
    const spacing = Number(/\(0028,0030\) DS \[([\d.]+)\\/.exec(dump)![1]);
    const rows = Number(/\(0028,0010\) US (\d+)/.exec(dump)![1]);
    if (name === 'monochrome1-b') {
      assert.match(dump, /\(0028,0004\) CS \[MONOCHROME1\]/);
      // The reader shows bone bright again: the same picture as the default site's.
      assert.deepEqual((await readRadiograph(join(dir, first))).pixels, basePixels);
    } else {
      assert.match(dump, /\(0028,0004\) CS \[MONOCHROME2\]/);
    }
    if (name === 'fov-b') assert.ok(Math.abs(spacing - 450 / SIZE) < 1e-6, `fov-b spacing ${spacing}`);
    else if (name === 'resolution-b') {
      assert.equal(rows, Math.round(SIZE * 0.6));
      assert.ok(Math.abs(spacing - 350 / Math.round(SIZE * 0.6)) < 1e-6, `resolution-b spacing ${spacing}`);
    } else assert.ok(Math.abs(spacing - 350 / SIZE) < 1e-6, `${name} spacing ${spacing}`);
  }
});

test('population sites change who is studied (older, more men) or how often they fracture, as the presets state', async () => {
  const read = async (name: string | null) => parseCsv(text(await cohort(name, 2000, false), 'cohort.csv'), 'cohort.csv');
  const base = await read(null);
  const older = await read('population-b');
  const hazard = await read('hazard-b');
  const mean = (xs: Float64Array) => xs.reduce((a, v) => a + v, 0) / xs.length;
  const share = (xs: string[], v: string) => xs.filter((x) => x === v).length / xs.length;
  // Age 66 +- 6 truncated to 50-75 has mean 65.24 (R: 66 + 6 (dnorm(a) - dnorm(b)) / (pnorm(b) - pnorm(a)),
  // a = -16/6, b = 9/6); the default's is about 59.
  assert.ok(Math.abs(mean(older.numbers('age')) - 65.24) < 0.4, `population-b mean age ${mean(older.numbers('age'))}`);
  assert.ok(Math.abs(share(older.strings('sex'), 'F') - 0.55) < 0.03, 'population-b: 55% women');
  assert.ok(mean(base.numbers('age')) < 61);
  assert.deepEqual(hazard.strings('age'), base.strings('age'), 'hazard-b: the same patients');
  assert.ok(mean(hazard.numbers('fracture')) > 1.4 * mean(base.numbers('fracture')), 'hazard-b: more fractures');
});

test('an unknown site is refused with exit 2, naming the sites there are', () => {
  const r = spawnSync(process.execPath, [bin, 'synth', '--out', join(root, 'nowhere'), '--site', 'scanner-z'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no site "scanner-z" \(sites: scanner-b, .*population-b/);
});
