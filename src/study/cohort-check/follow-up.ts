/**
 * Events and follow-up per split, over the rows the study would analyse: what decides whether a model
 * can be fitted (training events) and judged (test events), and over which horizon.
 */
import type { CohortRow, Split } from '../cohort.js';

export interface SplitFollowUp {
  rows: number;
  events: number;
  censored: number;
  /** Follow-up in years (after time_unit), over every row of the split; null without rows. */
  follow_up_years: { min: number; median: number; max: number } | null;
}

export function followUpBySplit(rows: CohortRow[]): Record<Split, SplitFollowUp> {
  const of = (split: Split): SplitFollowUp => {
    const s = rows.filter((r) => r.split === split);
    const times = s.map((r) => r.time).sort((a, b) => a - b);
    const events = s.filter((r) => r.event === 1).length;
    const mid = times.length >> 1;
    return {
      rows: s.length,
      events,
      censored: s.length - events,
      follow_up_years:
        times.length === 0
          ? null
          : { min: round(times[0]), median: round(times.length % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2), max: round(times[times.length - 1]) },
    };
  };
  return { train: of('train'), test: of('test') };
}

function round(x: number): number {
  return Number(x.toFixed(3));
}
