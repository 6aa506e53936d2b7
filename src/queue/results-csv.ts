/**
 * STORE/results.csv (CLI.md): one row per submitted file, in the order given, with at least file,
 * sha256, status, risk and reason; then the flags, survival at each stored year, the model version, and
 * how many attempts it took. Files with the same bytes share one result (scored once).
 */
import { join } from 'node:path';
import { formatNumber, writeCsv } from '../util/csv.js';
import type { StoredResult } from './result-store.js';
import type { Submission } from './submissions.js';
import { RESULTS_CSV } from './store-folder.js';

export interface ResultCounts {
  scored: number;
  flagged: number;
  failed: number;
}

export function writeResultsCsv(storeDir: string, submissions: Submission[], results: Map<string, StoredResult>, modelVersion: string): ResultCounts {
  const years = new Set<string>();
  for (const r of results.values()) for (const y of Object.keys(r.surv ?? {})) years.add(y);
  const survYears = [...years].sort((a, b) => Number(a) - Number(b));
  const header = ['file', 'sha256', 'status', 'risk', 'reason', 'flags', ...survYears.map((y) => `surv_${y}`), 'model_version', 'attempts'];
  const counts: ResultCounts = { scored: 0, flagged: 0, failed: 0 };
  const rows = submissions.map((s) => {
    const r = s.sha256 === null ? undefined : results.get(s.sha256);
    if (r === undefined) {
      counts.failed++;
      return [s.file, s.sha256 ?? '', 'failed', '', s.error ?? 'no result', '', ...survYears.map(() => ''), modelVersion, 0];
    }
    counts[r.status]++;
    return [
      s.file,
      r.sha256,
      r.status,
      r.risk === null ? '' : formatNumber(r.risk),
      r.reason ?? '',
      r.flags.join(';'),
      ...survYears.map((y) => (r.surv?.[y] === undefined ? '' : formatNumber(r.surv[y]))),
      modelVersion,
      r.attempts,
    ];
  });
  writeCsv(join(storeDir, RESULTS_CSV), header, rows);
  return counts;
}
