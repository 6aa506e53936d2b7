import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCohort } from '../../src/synth/cohort.js';
import { isReusableCohort } from '../../src/synth/reuse.js';

test('a generated cohort is reusable for the same settings only, and not once its files or generator change', async () => {
  const root = mkdtempSync(join(tmpdir(), 'synth-reuse-'));
  try {
    const dir = join(root, 'cohort');
    await generateCohort({ out: dir, patients: 20, size: 64, seed: 5, workers: 0 });
    const settings = { patients: 20, size: 64, seed: 5 };
    assert.equal(isReusableCohort(dir, settings), true);
    assert.equal(isReusableCohort(dir, { ...settings, seed: 6 }), false);
    assert.equal(isReusableCohort(dir, { ...settings, size: 128 }), false);
    assert.equal(isReusableCohort(join(root, 'missing'), settings), false);

    const manifestPath = join(dir, 'manifest.json');
    const manifest = readFileSync(manifestPath, 'utf8');
    const older = JSON.parse(manifest) as { generator: { revision: number } };
    older.generator.revision -= 1;
    writeFileSync(manifestPath, JSON.stringify(older));
    assert.equal(isReusableCohort(dir, settings), false, 'an older generator revision');
    writeFileSync(manifestPath, manifest);

    appendFileSync(join(dir, 'cohort.csv'), '\n');
    assert.equal(isReusableCohort(dir, settings), false, 'an edited cohort.csv');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
