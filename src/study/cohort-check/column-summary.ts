/**
 * Each column of the cohort file as the check sees it: what study.json maps it to, whether its cells
 * are numbers or text, how many are missing, and for the columns the study uses, their range or their
 * codes. Values are shown only for coded and numeric study columns: an unmapped column may hold names
 * or record numbers, which a pre-flight report must not repeat.
 */
import { isMissingCell, type CsvTable } from '../../util/csv.js';
import type { CanonicalColumn, StudyConfig } from '../config.js';

const CODED: Partial<Record<CanonicalColumn, true>> = {
  sex: true, fracture: true, split: true, glucocorticoid: true, secondary_osteoporosis: true, rheumatoid_arthritis: true, prior_fracture: true,
};
const NUMERIC: Partial<Record<CanonicalColumn, true>> = { age: true, bmi: true, bmd_tscore: true, frax_mof: true, followup_years: true };

export interface ColumnSummary {
  name: string;
  /** The CLI.md column(s) study.json reads from it; empty when the study does not use it. */
  maps_to: CanonicalColumn[];
  /** number: every present cell is a number; text: some are not; empty: every cell is missing. */
  type: 'number' | 'text' | 'empty';
  missing: number;
  /** Coded study columns: each raw value and how many rows hold it. */
  values?: Record<string, number>;
  /** Numeric study columns: the range of the numeric cells, as written (before time_unit). */
  min?: number;
  max?: number;
}

export function summariseColumns(table: CsvTable, config: StudyConfig): ColumnSummary[] {
  const rows = table.rows;
  return table.header.map((name, c) => {
    const mapsTo = (Object.entries(config.columns) as [CanonicalColumn, string | null][]).filter(([, actual]) => actual === name).map(([canonical]) => canonical);
    let missing = 0;
    let numbers = 0;
    let min = Infinity;
    let max = -Infinity;
    const counts = new Map<string, number>();
    const coded = mapsTo.some((m) => CODED[m]);
    for (const row of rows) {
      const cell = (row[c] ?? '').trim();
      if (isMissingCell(cell)) {
        missing++;
        continue;
      }
      if (coded) counts.set(cell, (counts.get(cell) ?? 0) + 1);
      const v = Number(cell);
      if (Number.isFinite(v)) {
        numbers++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    const present = rows.length - missing;
    const summary: ColumnSummary = {
      name,
      maps_to: mapsTo,
      type: present === 0 ? 'empty' : numbers === present ? 'number' : 'text',
      missing,
    };
    if (coded) summary.values = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
    if (mapsTo.some((m) => NUMERIC[m]) && numbers > 0) {
      summary.min = min;
      summary.max = max;
    }
    return summary;
  });
}
