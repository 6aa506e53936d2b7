/**
 * Paired comparisons on the same test patients: each model's Harrell's C against CoxPH model 3 and
 * against FRAX of its subgroup (difference, percentile bootstrap CI, p-value from the bootstrap SE),
 * with the infinitesimal-jackknife contrast (survival::concordance's) kept beside it.
 */
import { compareConcordance } from '../survival/compare-concordance.js';
import { normalTwoSidedP } from '../stats/distributions.js';
import type { Random } from '../util/random.js';
import type { SurvivalSet } from './design.js';
import { modelKey, type FittedModel } from './fit-models.js';
import type { Comparison, Subgroup } from '../report/results.js';

export interface StudyComparison extends Comparison {
  jackknife_ci95: [number, number];
  jackknife_p: number;
}

export function referenceKeys(subgroup: Subgroup): string[] {
  return [modelKey('coxph', 3, subgroup), modelKey('frax', null, subgroup)];
}

export function compareModels(models: FittedModel[], test: SurvivalSet, subgroup: Subgroup, B: number, random: Random): StudyComparison[] {
  const byKey = new Map(models.map((m) => [m.key, m]));
  const out: StudyComparison[] = [];
  for (const refKey of referenceKeys(subgroup)) {
    const reference = byKey.get(refKey);
    if (!reference) continue;
    for (const model of models) {
      if (model.key === refKey) continue;
      // FRAX vs CoxPH model 3 is listed once, under the CoxPH reference.
      if (refKey.startsWith('frax') && model.key === modelKey('coxph', 3, subgroup)) continue;
      // The jackknife contrast and the paired bootstrap (the same resamples for both scores).
      const c = compareConcordance(test.time, test.event, model.testRisk, reference.testRisk, { B, random: random.fork() });
      const boot = c.bootstrap!;
      out.push({
        subgroup,
        model: model.key,
        reference: refKey,
        difference: c.difference,
        ci95: boot.ci95,
        p: boot.se > 0 ? normalTwoSidedP(c.difference / boot.se) : c.difference === 0 ? 1 : 0,
        method: `Paired bootstrap over test patients (${B} resamples; percentile CI, two-sided p from the bootstrap SE)`,
        jackknife_ci95: c.jackknife.ci95,
        jackknife_p: c.jackknife.p,
      });
    }
  }
  return out;
}
