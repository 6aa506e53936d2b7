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
import { rscript } from '../survival/rscript.js';

test("a synthetic cohort's truth: the oracle and clinical-only C on the test split agree with R, and with truth.json", async () => {
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
    // R joins cohort.csv and truth.json by patient and computes each C on the test split itself.
    const ref = rscript(`
      d <- read.csv(file.path(args[1], "cohort.csv"))
      truth <- fromJSON(file.path(args[1], "truth.json"))$patients
      d <- merge(d[d$split == "test", ], truth[, c("patient_id", "linear_predictor", "best_clinical_predictor")], by = "patient_id")
      c_of <- function(rows, score) unname(concordance(Surv(followup_years, fracture) ~ score, data = cbind(rows, score = rows[[score]]), reverse = TRUE)$concordance)
      women <- d[d$sex == "F", ]
      emit(list(n = nrow(d), n_women = nrow(women), oracle = c_of(d, "linear_predictor"), clinical = c_of(d, "best_clinical_predictor"),
                oracle_women = c_of(women, "linear_predictor"), clinical_women = c_of(women, "best_clinical_predictor")))`, [dir]);
    const all = summary.by_subgroup!.all!;
    const women = summary.by_subgroup!.women!;
    assert.equal(all.n, ref.n);
    assert.equal(women.n, ref.n_women);
    assert.ok(Math.abs(all.oracle_harrell - ref.oracle) < 1e-9, `oracle C ${all.oracle_harrell} vs R ${ref.oracle}`);
    assert.ok(Math.abs(all.clinical_only_harrell - ref.clinical) < 1e-9, `clinical-only C ${all.clinical_only_harrell} vs R ${ref.clinical}`);
    assert.ok(Math.abs(women.oracle_harrell - ref.oracle_women) < 1e-9);
    assert.ok(Math.abs(women.clinical_only_harrell - ref.clinical_women) < 1e-9);
    // The generator's own headline values (rounded to 1e-6 in truth.json) are the same Cs.
    assert.ok(Math.abs(file.oracle_harrell - ref.oracle) < 1e-6, `truth.json oracle ${file.oracle_harrell} vs R ${ref.oracle}`);
    assert.ok(Math.abs(file.clinical_only_harrell - ref.clinical) < 1e-6);
    assert.equal(summary.oracle_harrell, file.oracle_harrell);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
