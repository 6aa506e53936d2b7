import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCohort } from '../../src/synth/index.js';
import { loadCohort } from '../../src/study/cohort.js';
import { parseConfig } from '../../src/study/config.js';
import { survivalSet } from '../../src/study/design.js';
import { readTruth } from '../../src/study/truth.js';
import type { Subgroup } from '../../src/study/results.js';

test("a synthetic cohort's truth: the oracle and clinical-only C recomputed on the test split match truth.json", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'spinesurv-truth-')), 'cohort');
  try {
    await generateCohort({ out: dir, patients: 400, size: 64, seed: 5, workers: 0, images: false });
    const cohort = loadCohort(dir, parseConfig({ columns: { image: null } }));
    const truth = readTruth(dir, cohort);
    assert.ok(truth);
    const split = (s: Subgroup) => ({ train: survivalSet(cohort.rows, 'train', s), test: survivalSet(cohort.rows, 'test', s) });
    const sets = new Map([['all', split('all')], ['women', split('women')]] as [Subgroup, ReturnType<typeof split>][]);
    const summary = truth.summarise(sets);
    const file = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    // truth.json rounds its values to 1e-6.
    assert.ok(Math.abs(summary.by_subgroup!.all!.oracle_harrell - file.oracle_harrell) < 1e-6);
    assert.ok(Math.abs(summary.by_subgroup!.all!.clinical_only_harrell - file.clinical_only_harrell) < 1e-6);
    assert.equal(summary.oracle_harrell, file.oracle_harrell);
    assert.equal(summary.by_subgroup!.women!.n, cohort.rows.filter((r) => r.split === 'test' && r.female === 1).length);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
