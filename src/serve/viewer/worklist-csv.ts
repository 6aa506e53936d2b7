/**
 * The worklist as CSV, for a spreadsheet or an audit. Quoting as RFC 4180 (a cell with a comma, quote
 * or line break is quoted, quotes doubled). Text cells that start with = + - @ (or a tab or carriage
 * return) get a leading apostrophe so that a spreadsheet shows them as text instead of running them
 * as a formula (OWASP "CSV injection"): a clinician's name or a flag is text we did not write.
 * Numbers are written by us from doubles and are left as they are, so a negative risk stays a number.
 */
import type { WorklistEntry } from './worklist.js';

export const WORKLIST_CSV_COLUMNS = [
  'sop_instance_uid', 'study_instance_uid', 'status', 'risk', 'surv_1', 'surv_3', 'surv_5', 'percentile',
  'flags', 'corrected_by', 'corrected_at', 'received_at', 'scored_at', 'warnings',
] as const;

type Cell = string | number | null;

export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return csvText(value);
}

/**
 * The patient's name, with --show-phi only, is the last column: the fixed columns keep their places
 * whether or not the server shows names.
 */
export function worklistCsv(entries: WorklistEntry[], showPhi: boolean): string {
  const header: string[] = [...WORKLIST_CSV_COLUMNS, ...(showPhi ? ['patient_name'] : [])];
  const lines = [header.join(',')];
  for (const e of entries) {
    const cells: Cell[] = [
      e.sopInstanceUid, e.studyInstanceUid, e.status, e.risk,
      e.surv?.['1'] ?? null, e.surv?.['3'] ?? null, e.surv?.['5'] ?? null, e.percentile,
      e.flags.join('; '), e.corrected?.by ?? null, e.corrected?.at ?? null, e.receivedAt, e.scoredAt,
      e.warnings.join('; '),
    ];
    if (showPhi) cells.push(e.patientName ?? '');
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
