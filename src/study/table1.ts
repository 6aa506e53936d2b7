/**
 * Table 1 of the study: baseline characteristics of the training and test splits, from the
 * statistics module's table1(). The p-values are chosen as the paper reports them: Student's t test
 * for continuous variables and R's chisq.test default (Yates' continuity correction on 2 x 2 tables)
 * for binary ones; with these the paper's own p-values are reproduced from its counts (female sex
 * 1,068/1,416 vs 120/179 gives 0.020, secondary osteoporosis 68 vs 16 gives 0.031).
 */
import { table1, type Table1Input } from '../stats/table1.js';
import type { Cohort, CohortRow, Split } from './cohort.js';
import type { Table1Result, Table1Row } from '../report/results.js';

interface Variable {
  label: string;
  kind: 'continuous' | 'binary';
  value(row: CohortRow): number;
  /** Shown only when the cohort has the column. */
  present?(cohort: Cohort): boolean;
  digits?: number;
}

const VARIABLES: Variable[] = [
  { label: 'Age, yr', kind: 'continuous', value: (r) => r.age },
  { label: 'Female sex', kind: 'binary', value: (r) => r.female },
  { label: 'Body mass index, kg/m²', kind: 'continuous', value: (r) => r.bmi },
  { label: 'Previous history of fracture', kind: 'binary', value: (r) => r.priorFracture, present: (c) => c.present.prior_fracture },
  { label: 'Secondary osteoporosis', kind: 'binary', value: (r) => r.secondaryOsteoporosis },
  { label: 'Rheumatoid arthritis', kind: 'binary', value: (r) => r.rheumatoidArthritis, present: (c) => c.present.rheumatoid_arthritis },
  { label: 'Use of glucocorticoids', kind: 'binary', value: (r) => r.glucocorticoid },
  { label: 'BMD T-score', kind: 'continuous', value: (r) => r.bmdTscore, present: (c) => c.present.bmd_tscore, digits: 2 },
  { label: 'FRAX major osteoporotic fracture, %', kind: 'continuous', value: (r) => 100 * r.frax, present: (c) => c.hasFrax },
  { label: 'Follow-up duration, yr', kind: 'continuous', value: (r) => r.time },
  { label: 'Fracture events during follow-up', kind: 'binary', value: (r) => r.event },
];

const SPLITS: { key: Split; label: string }[] = [
  { key: 'train', label: 'Training set' },
  { key: 'test', label: 'Test set' },
];

export function buildTable1(cohort: Cohort): Table1Result {
  const variables = VARIABLES.filter((v) => !v.present || v.present(cohort));
  const inputs: Table1Input[] = variables.map((v) =>
    v.kind === 'continuous'
      ? { name: v.label, kind: 'continuous', values: Float64Array.from(cohort.rows, v.value) }
      : { name: v.label, kind: 'categorical', values: Float64Array.from(cohort.rows, v.value) },
  );
  const table = table1(cohort.rows.map((r) => r.split), inputs);
  const index = Object.fromEntries(SPLITS.map((s) => [s.key, table.groups.indexOf(s.key)])) as Record<Split, number>;
  const rows: Table1Row[] = table.rows.map((row, k) => {
    const v = variables[k];
    const cells: Record<string, string> = {};
    const values: Table1Row['values'] = {};
    if (row.kind === 'continuous') {
      const digits = v.digits ?? 1;
      for (const s of SPLITS) {
        const g = row.byGroup[index[s.key]];
        cells[s.key] = g.n === 0 ? '—' : `${g.mean.toFixed(digits)} ± ${Number.isFinite(g.sd) ? g.sd.toFixed(digits) : '—'}`;
        values[s.key] = { mean: g.mean, sd: g.sd, n: g.n };
      }
      const p = row.student?.p;
      return { label: v.label, kind: 'continuous', cells, values, p: p !== undefined && Number.isFinite(p) ? p : null, test: "Student's t test" };
    }
    const yes = row.levels.find((l) => l.level === '1');
    for (const s of SPLITS) {
      // The patients of this split with a value: the sum of its counts over the levels.
      const n = row.levels.reduce((sum, level) => sum + level.byGroup[index[s.key]].n, 0);
      const c = yes ? yes.byGroup[index[s.key]].n : 0;
      const percent = n > 0 ? (100 * c) / n : NaN;
      cells[s.key] = n === 0 ? '—' : `${c.toLocaleString('en-US')} (${percent.toFixed(1)})`;
      values[s.key] = { count: c, percent, n };
    }
    // No test when one level is empty in both splits (e.g. no one had a previous fracture).
    const p = row.chiSquareCorrected?.p;
    return { label: v.label, kind: 'binary', cells, values, p: p !== undefined && Number.isFinite(p) ? p : null, test: "chi-square test (Yates' correction)" };
  });
  return { groups: SPLITS.map((s) => ({ key: s.key, label: s.label, n: table.n[index[s.key]] })), rows };
}
