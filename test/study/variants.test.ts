/**
 * The variant comparison against R's pROC (AUROC, DeLong CI, ROC points, sensitivity / specificity
 * at a threshold) and a hand-worked ROC curve; the cross-validation is checked to score every
 * training row once, out of fold, on the same folds for every variant, and to choose the best AUROC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { compareVariants, judgeScores } from '../../src/study/variants.js';
import { rocCurve } from '../../src/stats/thresholds.js';
import { Random } from '../../src/util/random.js';

test('the ROC curve of a hand-worked case', () => {
  // Scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.7 (neg), 0.2 (neg): steps after each distinct score.
  const r = rocCurve([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.7, 0.2]);
  assert.deepEqual(r.tpr, [0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(r.fpr, [0, 0, 1 / 3, 2 / 3, 1]);
});

test('AUROC, DeLong CI, ROC points and the rates at the threshold agree with pROC', () => {
  const rng = new Random(12);
  const n = 150;
  const label = Uint8Array.from({ length: n }, () => (rng.bernoulli(0.2) ? 1 : 0));
  const score = Float64Array.from(label, (y) => Math.round((rng.normal() + 0.9 * y) * 20) / 20);
  const v = judgeScores('full-l1l5', false, label, score);
  const script = `
    suppressMessages(library(pROC)); library(jsonlite)
    d <- fromJSON(file("stdin"))
    r <- roc(d$label, d$score, levels = c(0, 1), direction = "<", quiet = TRUE)
    ci <- ci.auc(r, method = "delong")
    co <- coords(r, x = d$threshold, input = "threshold", ret = c("sensitivity", "specificity", "ppv", "npv"), transpose = TRUE)
    cat(toJSON(list(auc = as.numeric(r$auc), lo = ci[1], hi = ci[3], fpr = rev(1 - r$specificities), tpr = rev(r$sensitivities), co = as.numeric(co)), digits = NA))`;
  const out = JSON.parse(execFileSync('Rscript', ['-e', script], { input: JSON.stringify({ label: [...label], score: [...score], threshold: v.threshold }), encoding: 'utf8' }));
  assert.ok(Math.abs(v.auroc - out.auc[0]) < 1e-12);
  assert.ok(Math.abs(v.auroc_ci95[0] - out.lo[0]) < 1e-9 && Math.abs(v.auroc_ci95[1] - out.hi[0]) < 1e-9);
  assert.deepEqual(v.roc.fpr.map((x) => x.toFixed(10)), out.fpr.map((x: number) => x.toFixed(10)));
  assert.deepEqual(v.roc.tpr.map((x) => x.toFixed(10)), out.tpr.map((x: number) => x.toFixed(10)));
  const [sens, spec, ppv, npv] = out.co;
  assert.ok(Math.abs(v.sensitivity - sens) < 1e-12 && Math.abs(v.specificity - spec) < 1e-12);
  assert.ok(Math.abs(v.ppv - ppv) < 1e-12 && Math.abs(v.npv - npv) < 1e-12);
});

test('cross-validation scores every row once out of fold, on the same folds for every variant, and chooses the best AUROC', async () => {
  const rng = new Random(4);
  const n = 200;
  const label = Uint8Array.from({ length: n }, () => (rng.bernoulli(0.15) ? 1 : 0));
  // Two "images" per patient: one carries the label, one does not.
  const informative = Float64Array.from(label, (y) => rng.normal() + 1.5 * y);
  const noise = Float64Array.from({ length: n }, () => rng.normal());
  const seen: Record<string, string[]> = { a: [], b: [] };
  const candidate = (name: 'a' | 'b', feature: Float64Array) => ({
    variant: name,
    masks: false,
    fitAndScore(fit: Int32Array, held: Int32Array) {
      const inFit = new Set(fit);
      assert.ok(held.every((i) => !inFit.has(i)), 'held-out rows are never fitted on');
      assert.equal(fit.length + held.length, n);
      seen[name].push([...held].join(','));
      // "Fitting": the sign of the feature's mean difference on the fit rows.
      let d = 0;
      for (const i of fit) d += label[i] === 1 ? feature[i] : -feature[i] / 6;
      return Float64Array.from(held, (i) => Math.sign(d) * feature[i]);
    },
  });
  const results = await compareVariants([candidate('b', noise), candidate('a', informative)], label, 5, new Random(9));
  assert.deepEqual(seen.a, seen.b, 'the same folds for every variant');
  assert.equal(seen.a.length, 5);
  assert.deepEqual(results.map((r) => r.chosen), [false, true]);
  assert.ok(results[1].auroc > 0.75 && Math.abs(results[0].auroc - 0.5) < 0.15, `${results[1].auroc} ${results[0].auroc}`);
  assert.equal(results[1].n, n);
});

test('folds fitted several at once, finishing in any order, give the results of one after another', async () => {
  const rng = new Random(6);
  const n = 160;
  const label = Uint8Array.from({ length: n }, () => (rng.bernoulli(0.2) ? 1 : 0));
  const feature = Float64Array.from(label, (y) => rng.normal() + y);
  const delays = new Random(2);
  const candidate = (name: string, shift: number, slow: boolean) => ({
    variant: name,
    masks: false,
    // A costlier candidate's folds are scheduled first; results stay in the candidates' order.
    cost: name === 'c' ? 3 : 1,
    fitAndScore: async (fit: Int32Array, held: Int32Array, fold: number) => {
      // Later folds of the slow candidate finish first: the scores must still land on their own rows.
      if (slow) await new Promise((r) => setTimeout(r, 5 + 20 * (5 - fold) * delays.uniform()));
      return Float64Array.from(held, (i) => feature[i] * (fold + 1) + shift * fit.length);
    },
  });
  const make = () => [candidate('a', 0.001, true), candidate('b', -0.002, false), candidate('c', 0, true)];
  const one = await compareVariants(make(), label, 5, new Random(3));
  const three = await compareVariants(make(), label, 5, new Random(3), undefined, 3);
  assert.deepEqual(three, one);
  assert.deepEqual(three.map((r) => r.variant), ['a', 'b', 'c']);
});
