/**
 * Table 1: baseline characteristics by group. Continuous variables: mean +- SD per group, with
 * Student's and Welch's t-tests (two groups; the reported p is Welch's) or a one-way ANOVA (more
 * groups). Categorical variables: n (%) per level and group, with
 * Pearson's chi-square (with and without Yates' correction for 2 x 2) and Fisher's exact test, the
 * reported p being Fisher's when any expected count is below 5, else the uncorrected chi-square.
 * Missing values (NaN / empty string) are left out and counted.
 */
import { InputError } from '../util/errors.js';
import { mean, sd } from './descriptive.js';
import { studentTTest, welchTTest, type TTestResult } from './t-test.js';
import { chiSquareTest, type ChiSquareResult } from './chi-square.js';
import { fisherExact } from './fisher-exact.js';
import { oneWayAnova, type AnovaResult } from './anova.js';

export type Table1Input =
  | { name: string; kind: 'continuous'; values: ArrayLike<number> }
  | { name: string; kind: 'categorical'; values: ArrayLike<string | number> };

export interface ContinuousSummary {
  n: number;
  missing: number;
  mean: number;
  sd: number;
}

export interface ContinuousRow {
  variable: string;
  kind: 'continuous';
  overall: ContinuousSummary;
  byGroup: ContinuousSummary[];
  student?: TTestResult;
  welch?: TTestResult;
  /** ANOVA with more than two groups. */
  anova?: AnovaResult;
  /** Welch's p for two groups, the ANOVA p for more. */
  p?: number;
  test?: 'welch' | 'anova';
}

export interface LevelCount {
  n: number;
  /** Percent of the non-missing values in that column. */
  pct: number;
}

export interface CategoricalRow {
  variable: string;
  kind: 'categorical';
  levels: { level: string; overall: LevelCount; byGroup: LevelCount[] }[];
  missing: number;
  chiSquare?: ChiSquareResult;
  chiSquareCorrected?: ChiSquareResult;
  fisherP?: number;
  p?: number;
  test?: 'chi-square' | 'fisher';
}

export interface Table1 {
  groups: string[];
  n: number[];
  total: number;
  rows: (ContinuousRow | CategoricalRow)[];
}

export function table1(group: ArrayLike<string | number>, variables: Table1Input[]): Table1 {
  const n = group.length;
  const labels = Array.from(group, String);
  const groups = Array.from(new Set(labels)).sort();
  const gIndex = labels.map((g) => groups.indexOf(g));
  const counts = groups.map((_, k) => gIndex.filter((g) => g === k).length);
  const rows: (ContinuousRow | CategoricalRow)[] = [];
  for (const v of variables) {
    if (v.values.length !== n) throw new InputError(`table1: variable "${v.name}" has ${v.values.length} values, expected ${n}`);
    rows.push(v.kind === 'continuous' ? continuousRow(v.name, v.values, gIndex, groups.length) : categoricalRow(v.name, v.values, gIndex, groups.length));
  }
  return { groups, n: counts, total: n, rows };
}

function summarise(values: number[], missing: number): ContinuousSummary {
  return { n: values.length, missing, mean: values.length ? mean(values) : NaN, sd: values.length > 1 ? sd(values) : NaN };
}

function continuousRow(name: string, values: ArrayLike<number>, gIndex: number[], k: number): ContinuousRow {
  const all: number[] = [];
  const per: number[][] = Array.from({ length: k }, () => []);
  const missingPer = new Array<number>(k).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number') throw new InputError(`table1: "${name}", row ${i}: not a number`);
    if (Number.isNaN(x)) {
      missingPer[gIndex[i]]++;
      continue;
    }
    all.push(x);
    per[gIndex[i]].push(x);
  }
  const row: ContinuousRow = {
    variable: name,
    kind: 'continuous',
    overall: summarise(all, missingPer.reduce((a, b) => a + b, 0)),
    byGroup: per.map((p, g) => summarise(p, missingPer[g])),
  };
  if (k === 2 && per[0].length >= 2 && per[1].length >= 2) {
    row.student = studentTTest(per[0], per[1]);
    row.welch = welchTTest(per[0], per[1]);
    row.p = row.welch.p;
    row.test = 'welch';
  } else if (k > 2 && per.filter((g) => g.length > 0).length >= 2 && all.length > per.filter((g) => g.length > 0).length) {
    row.anova = oneWayAnova(per);
    row.p = row.anova.p;
    row.test = 'anova';
  }
  return row;
}

function categoricalRow(name: string, values: ArrayLike<string | number>, gIndex: number[], k: number): CategoricalRow {
  const cells = Array.from(values, (v) => (typeof v === 'number' && Number.isNaN(v) ? '' : String(v)));
  const levels = Array.from(new Set(cells.filter((c) => c !== ''))).sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
  });
  const table = levels.map(() => new Array<number>(k).fill(0));
  let missing = 0;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i] === '') {
      missing++;
      continue;
    }
    table[levels.indexOf(cells[i])][gIndex[i]]++;
  }
  const colTotals = Array.from({ length: k }, (_, g) => table.reduce((a, r) => a + r[g], 0));
  const total = colTotals.reduce((a, b) => a + b, 0);
  const row: CategoricalRow = {
    variable: name,
    kind: 'categorical',
    missing,
    levels: levels.map((level, l) => {
      const overallN = table[l].reduce((a, b) => a + b, 0);
      return {
        level,
        overall: { n: overallN, pct: (100 * overallN) / total },
        byGroup: table[l].map((c, g) => ({ n: c, pct: colTotals[g] > 0 ? (100 * c) / colTotals[g] : NaN })),
      };
    }),
  };
  // Tests need at least two levels and two non-empty groups.
  const usedLevels = table.filter((r) => r.some((c) => c > 0));
  const usedGroups = colTotals.map((c, g) => (c > 0 ? g : -1)).filter((g) => g >= 0);
  if (usedLevels.length >= 2 && usedGroups.length >= 2) {
    const t = usedLevels.map((r) => usedGroups.map((g) => r[g]));
    row.chiSquare = chiSquareTest(t, { correct: false });
    row.chiSquareCorrected = chiSquareTest(t, { correct: true });
    if (row.chiSquare.minExpected < 5) {
      try {
        row.fisherP = fisherExact(t).p;
      } catch {
        row.fisherP = undefined;
      }
    }
    if (row.fisherP !== undefined) {
      row.p = row.fisherP;
      row.test = 'fisher';
    } else {
      row.p = row.chiSquare.p;
      row.test = 'chi-square';
    }
  }
  return row;
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'NA';
}

function fmtP(p: number | undefined): string {
  if (p === undefined || Number.isNaN(p)) return '';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** The table as rows of text cells: header, then one line per continuous variable or level. */
export function table1Cells(t: Table1): string[][] {
  const header = ['Characteristic', `Overall (n=${t.total})`, ...t.groups.map((g, k) => `${g} (n=${t.n[k]})`), 'p', 'test'];
  const out = [header];
  for (const r of t.rows) {
    if (r.kind === 'continuous') {
      out.push([`${r.variable}, mean ± SD`, `${fmt(r.overall.mean)} ± ${fmt(r.overall.sd)}`, ...r.byGroup.map((g) => `${fmt(g.mean)} ± ${fmt(g.sd)}`), fmtP(r.p), r.test ?? '']);
    } else {
      out.push([`${r.variable}, n (%)`, '', ...t.groups.map(() => ''), fmtP(r.p), r.test ?? '']);
      for (const l of r.levels) out.push([`  ${l.level}`, `${l.overall.n} (${fmt(l.overall.pct)})`, ...l.byGroup.map((g) => `${g.n} (${fmt(g.pct)})`), '', '']);
    }
  }
  return out;
}

/** A Markdown rendering of table1Cells. */
export function table1Markdown(t: Table1): string {
  const cells = table1Cells(t);
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(cells[0]), line(cells[0].map(() => '---')), ...cells.slice(1).map(line)].join('\n') + '\n';
}
