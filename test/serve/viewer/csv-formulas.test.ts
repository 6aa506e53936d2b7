/**
 * The worklist CSV's formula guard against what got past a first-character check: a formula after a
 * separator a spreadsheet may split on ("a;=1+1"), full-width starters ("＝"), starters after spaces.
 * The CSV is read back with csv-parse (an independent parser), and each cell is split again on every
 * separator a locale could use, as a spreadsheet would: no piece may start with a formula starter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvText, disarmFormulas, worklistCsv } from '../../../src/serve/viewer/worklist-csv.js';
import type { WorklistEntry } from '../../../src/serve/viewer/worklist.js';

const ATTACKS = [
  'a;=1+1', 'a,=1+1', 'a|=1+1', 'a\t=1+1', 'a\n=1+1', 'a\r@SUM(1)', 'a; =1+1', '＝1+1', 'a;＝1+1', '＋1', '－1', '＠SUM(A1)',
  '\t=1', ' =1+1', 'ok; +cmd|x', 'x；＝1', '=1;=2;-3',
];

/** Every piece a spreadsheet could make of a cell, spaces trimmed and NFKC-folded as it reads them. */
function pieces(cell: string): string[] {
  return cell.normalize('NFKC').split(/[,;\t|\r\n]/).map((p) => p.trimStart());
}

test('a formula starter after a separator, full-width, or after spaces is disarmed in every piece', () => {
  for (const attack of ATTACKS) {
    const out = disarmFormulas(attack);
    for (const p of pieces(out)) assert.doesNotMatch(p, /^[=+\-@]/, `${JSON.stringify(attack)} -> ${JSON.stringify(out)}: piece ${JSON.stringify(p)}`);
    // Nothing is lost: taking the added apostrophes out gives the text back.
    assert.equal(out.replace(/'/g, ''), attack);
  }
  assert.equal(disarmFormulas('a;=1+1'), "a;'=1+1");
  assert.equal(disarmFormulas('＝1+1'), "'＝1+1");
  // Plain text, and a minus inside a word or after a space (a warning "age -5 ..."), stay as they are.
  for (const plain of ['scored', 'age -5 outside 50-75', 'Dr Q, MD', '1.2.840.10008', '2026-11-30T08:00:00Z']) assert.equal(disarmFormulas(plain), plain);
});

test('through worklistCsv and csv-parse: every piece of every text cell is text', () => {
  const entry = (by: string, flags: string[]): WorklistEntry => ({
    sopInstanceUid: '1.2', studyInstanceUid: '1.3', status: 'scored', risk: -0.5, surv: { 1: 0.9, 3: 0.8, 5: 0.7 }, percentile: 40, reason: null, missingClinical: [],
    flags, corrected: { by, at: '2026-11-30T09:00:00Z' }, receivedAt: '2026-11-30T08:00:00Z', scoredAt: '2026-11-30T08:01:00Z', warnings: ['age -5 is outside'],
  });
  const csv = worklistCsv(ATTACKS.map((a) => entry(a, [a, 'fine'])), false);
  const rows = parse(csv, { columns: true, relax_quotes: true }) as Record<string, string>[];
  assert.equal(rows.length, ATTACKS.length);
  for (const row of rows) {
    for (const column of ['flags', 'corrected_by']) {
      for (const p of pieces(row[column])) assert.doesNotMatch(p, /^[=+\-@]/, `${column} ${JSON.stringify(row[column])}`);
    }
    assert.equal(row.risk, '-0.5', 'numbers stay numbers');
    assert.equal(row.warnings, 'age -5 is outside');
  }
  assert.equal(csvText('a;=1+1'), "a;'=1+1");
});
