/**
 * The worklist as CSV, for a spreadsheet or an audit. Quoting as RFC 4180 (a cell with a comma, quote
 * or line break is quoted, quotes doubled). Text we did not write (a clinician's name, a flag, a
 * warning quoting a value) is disarmed so that a spreadsheet shows it as text instead of running it as
 * a formula (OWASP "CSV injection"): wherever a cell could start, an apostrophe goes before a formula
 * starter (= + - @, tab, carriage return). A cell could start at the field's start and after any
 * character a spreadsheet may split on (comma, semicolon, tab, pipe, line break: a locale or an import
 * dialog picks the separator, so "a;=1+1" is two cells in a semicolon locale), after any spaces. Each
 * character is judged by its NFKC form, as spreadsheets fold full-width forms: a full-width "＝" counts as
 * "=". Numbers are written by us from doubles and are left as they are, so a negative risk stays a number.
 */
import type { WorklistEntry } from './worklist.js';

export const WORKLIST_CSV_COLUMNS = [
  'sop_instance_uid', 'study_instance_uid', 'status', 'risk', 'surv_1', 'surv_3', 'surv_5', 'percentile',
  'flags', 'corrected_by', 'corrected_at', 'received_at', 'scored_at', 'warnings',
] as const;

type Cell = string | number | null;

const STARTER = /^[=+\-@\t\r]/;
const SEPARATOR = /^[,;\t|\r\n]$/;
const SPACE = /^\s$/;

/** The text with an apostrophe before each formula starter that begins a possible cell. */
export function disarmFormulas(value: string): string {
  let out = '';
  let cellStart = true;
  for (const ch of value) {
    const folded = ch.normalize('NFKC');
    if (cellStart && STARTER.test(folded)) out += "'";
    // Tab and carriage return are both: disarmed where a cell starts, and a cell starts after them.
    if (SEPARATOR.test(folded)) cellStart = true;
    else if (!(cellStart && SPACE.test(folded))) cellStart = false;
    out += ch;
  }
  return out;
}

export function csvText(value: string): string {
  const safe = disarmFormulas(value);
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
