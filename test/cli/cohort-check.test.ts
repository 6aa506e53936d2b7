/**
 * `spinesurv cohort check` as a researcher meets it, on a small synthetic cohort: the clean cohort
 * passes (exit 0) with its counts; a copy with planted problems (a missing image file, a truncated
 * DICOM, a DICOM that is not one, a non-numeric follow-up, a missing event, a keypoints entry for no
 * cohort image, an AP view and a chest radiograph rewritten by dcmtk's dcmodify) names each by file,
 * line and column and exits 2; a hospital layout read through study.json passes the same way; and a
 * split that unreadable radiographs would leave without events is an error. No patient id is printed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PARAMS, generateCohort, withTestFraction } from '../../src/synth/index.js';
import { formatCsv, readCsv } from '../../src/util/csv.js';
import { readRadiograph, RadiographReadError } from '../../src/imaging/index.js';
import type { CohortCheckReport } from '../../src/study/cohort-check/check-cohort.js';
import { tool } from '../imaging/dcmtk.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, 'cohort', 'check', ...args], { encoding: 'utf8' });

let work: string;
let source: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-cohort-check-'));
  source = join(work, 'source');
  // Half the patients in the test split, so that both splits have events with 40 patients.
  await generateCohort({ out: source, patients: 40, size: 256, seed: 1, workers: 0, params: withTestFraction(DEFAULT_PARAMS, 0.5) });
});

after(() => rmSync(work, { recursive: true, force: true }));

function copy(name: string): string {
  const dir = join(work, name);
  cpSync(source, dir, { recursive: true });
  return dir;
}

interface Row {
  line: number;
  cells: Record<string, string>;
}

function rowsOf(dir: string): { header: string[]; rows: Row[] } {
  const table = readCsv(join(dir, 'cohort.csv'));
  return {
    header: table.header,
    rows: table.rows.map((r, i) => ({ line: i + 2, cells: Object.fromEntries(table.header.map((h, c) => [h, r[c]])) })),
  };
}

function writeRows(dir: string, header: string[], rows: Row[]): void {
  writeFileSync(join(dir, 'cohort.csv'), formatCsv(header, rows.map((r) => header.map((h) => r.cells[h]))));
}

function checkJson(dir: string, extra: string[] = []): { status: number | null; report: CohortCheckReport; stderr: string } {
  const r = run(['--cohort', dir, '--json', ...extra]);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one JSON object on stdout');
  return { status: r.status, report: JSON.parse(r.stdout) as CohortCheckReport, stderr: r.stderr };
}

test('the clean cohort: exit 0, every row, radiograph and annotation counted, no problem', () => {
  const { rows } = rowsOf(source);
  const { status, report } = checkJson(source);
  assert.equal(status, 0);
  assert.equal(report.can_run, true);
  assert.deepEqual(report.problems, []);
  assert.equal(report.rows, 40);
  assert.equal(report.analysed, 40);
  assert.equal(report.excluded, 0);
  const bySplit = (s: string) => rows.filter((r) => r.cells.split === s);
  for (const s of ['train', 'test'] as const) {
    assert.equal(report.events[s], bySplit(s).filter((r) => r.cells.fracture === '1').length, `${s} events`);
    assert.ok(report.events[s] > 0, `${s} has events`);
    assert.equal(report.follow_up[s].rows, bySplit(s).length);
  }
  assert.deepEqual(report.images && { checked: report.images.checked, readable: report.images.readable, unreadable: report.images.unreadable }, { checked: 40, readable: 40, unreadable: 0 });
  assert.deepEqual(report.images!.read_from, { header: 40, whole_file: 0 });
  assert.deepEqual(report.images!.view, { LL: 40 });
  assert.deepEqual(report.images!.body_part, { LSPINE: 40 });
  assert.deepEqual(report.images!.modality, { DX: 40 });
  assert.equal(report.images!.rows!.max, 256);
  assert.deepEqual(Object.keys(report.images!.spacing_source), ['PixelSpacing']);
  assert.deepEqual(report.annotations, {
    file: 'keypoints.json', train: { annotated: 20, unannotated: 0 }, test: { annotated: 20, unannotated: 0, used: false }, unmatched: 0,
  });
  const followup = report.columns.find((c) => c.name === 'followup_years')!;
  assert.deepEqual([followup.type, followup.missing, followup.maps_to], ['number', 0, ['followup_years']]);
  assert.deepEqual(report.columns.find((c) => c.name === 'sex')!.values && Object.keys(report.columns.find((c) => c.name === 'sex')!.values!).sort(), ['F', 'M']);
  assert.equal(report.columns.find((c) => c.name === 'patient_id')!.values, undefined, 'no patient id repeated');

  const text = run(['--cohort', source]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /problems +none/);
  assert.match(text.stdout, /result +the study can run/);
});

test('planted problems: each is named by file, line and column; the study cannot run (exit 2)', async () => {
  const dir = copy('planted');
  const { header, rows } = rowsOf(dir);
  // Problems go on training rows without an event, so that what is left keeps events in both splits.
  const quiet = rows.filter((r) => r.cells.split === 'train' && r.cells.fracture === '0');
  const [missingFile, truncated, notDicom, badTime, noEvent, apView, chest] = quiet;
  rmSync(join(dir, missingFile.cells.image));
  const bytes = readFileSync(join(dir, truncated.cells.image));
  writeFileSync(join(dir, truncated.cells.image), bytes.subarray(0, bytes.length - 5000)); // pixel data cut short
  writeFileSync(join(dir, notDicom.cells.image), 'this is not a radiograph');
  badTime.cells.followup_years = 'abc';
  noEvent.cells.fracture = '';
  writeRows(dir, header, rows);
  tool('dcmodify', ['-nb', '-m', '(0018,5101)=AP', join(dir, apView.cells.image)]);
  tool('dcmodify', ['-nb', '-m', '(0018,0015)=CHEST', join(dir, chest.cells.image)]);
  const keypoints = JSON.parse(readFileSync(join(dir, 'keypoints.json'), 'utf8'));
  const stray = { ...keypoints.images[0], id: 9999, file_name: 'images/not-in-the-cohort.dcm' };
  keypoints.images.push(stray);
  keypoints.annotations.push({ ...keypoints.annotations[0], id: 9999, image_id: 9999 });
  writeFileSync(join(dir, 'keypoints.json'), JSON.stringify(keypoints));

  // The header-only verdict on the damaged files is the study's reader's verdict too.
  for (const r of [truncated, notDicom]) await assert.rejects(readRadiograph(join(dir, r.cells.image)), RadiographReadError);

  const { status, report, stderr } = checkJson(dir);
  assert.equal(status, 2);
  assert.equal(report.can_run, false);
  const expected: [string, number | null, string, string, RegExp][] = [
    ['error', missingFile.line, 'cohort.csv', 'image', /image file not found/],
    ['error', badTime.line, 'cohort.csv', 'followup_years', /follow-up followup_years "abc" is not a number/],
    ['error', noEvent.line, 'cohort.csv', 'fracture', /fracture is missing/],
    ['warning', truncated.line, 'cohort.csv', 'image', /cannot be read \(truncated file: pixel data needs \d+ bytes, \d+ present\); the study leaves this patient out/],
    ['warning', notDicom.line, 'cohort.csv', 'image', /cannot be read \(not a DICOM file/],
    ['warning', apView.line, 'cohort.csv', 'image', /View Position is "AP", not lateral/],
    ['warning', chest.line, 'cohort.csv', 'image', /Body Part Examined is "CHEST", not the lumbar spine/],
    ['error', 1, 'keypoints.json', 'file_name', new RegExp(`images\\[${keypoints.images.length - 1}\\]: file_name matches no image of the cohort file`)],
  ];
  for (const [severity, line, file, column, message] of expected) {
    const found = report.problems.filter((p) => p.file === file && p.line === line && p.column === column && message.test(p.message));
    assert.equal(found.length, 1, `${file} line ${line} ${column} ${message}: ${JSON.stringify(report.problems)}`);
    assert.equal(found[0].severity, severity, message.source);
  }
  assert.equal(report.problems.length, expected.length, JSON.stringify(report.problems, null, 1));
  assert.equal(report.bad_rows, 3);
  assert.equal(report.images!.unreadable, 2);
  assert.equal(report.analysed, 40 - 3 - 2);
  assert.equal(report.annotations!.unmatched, 1);
  assert.deepEqual(report.images!.view, { AP: 1, LL: 36 });
  assert.match(stderr, new RegExp(`the study cannot run on .*: 4 error\\(s\\), the first: cohort\\.csv, line ${missingFile.line}, column image: image file not found`));

  const text = run(['--cohort', dir]);
  assert.equal(text.status, 2);
  for (const [severity, line, file] of expected) assert.match(text.stdout, new RegExp(`${severity} +${file.replace('.', '\\.')}, line ${line}\\b`));
  assert.match(text.stdout, /the study cannot run: 4 error\(s\)/);
  for (const out of [text.stdout, text.stderr, JSON.stringify(report)]) assert.doesNotMatch(out, /SYN\d{4}/, 'rows are named by line, never by patient id or file name');
});

test('a hospital layout read through study.json passes as the canonical one, and names its own columns', () => {
  const dir = copy('hospital');
  const { header, rows } = rowsOf(dir);
  const renamed = header.map((h) => ({ followup_years: 'fu_months', fracture: 'vfx', sex: 'gender', split: 'set' })[h] ?? h);
  for (const r of rows) {
    r.cells.fu_months = String(Number(r.cells.followup_years) * 12);
    r.cells.vfx = r.cells.fracture === '1' ? 'yes' : 'no';
    r.cells.gender = r.cells.sex === 'F' ? '2' : '1';
    r.cells.set = r.cells.split === 'train' ? 'dev' : 'val';
  }
  rows[3].cells.age = '80'; // outside the inclusion range: excluded, not a problem
  writeRows(dir, renamed, rows);
  const config = join(work, 'hospital-study.json');
  writeFileSync(config, JSON.stringify({
    columns: { followup_years: 'fu_months', fracture: 'vfx', sex: 'gender', split: 'set' },
    time_unit: 'months',
    include: { age: { max: 75 } },
    codes: { sex: { 1: 'M', 2: 'F' }, fracture: { yes: '1', no: '0' }, split: { dev: 'train', val: 'test' } },
  }));
  const { status, report } = checkJson(dir, ['--config', config]);
  assert.equal(status, 0, JSON.stringify(report.problems));
  assert.equal(report.excluded, 1);
  assert.deepEqual(report.exclusions, [{ reason: 'age outside -inf to 75', n: 1, lines: [rows[3].line] }]);
  assert.equal(report.columns.find((c) => c.name === 'fu_months')!.maps_to[0], 'followup_years');
  // Months read as years: the split without the excluded row has the canonical cohort's follow-up exactly.
  const canonical = checkJson(source).report;
  const other = rows[3].cells.set === 'dev' ? 'test' : 'train';
  assert.deepEqual(report.follow_up[other], canonical.follow_up[other]);
  assert.equal(report.events[other], canonical.events[other]);

  // A bad cell is named by the column as the file names it.
  rows[5].cells.fu_months = 'soon';
  writeRows(dir, renamed, rows);
  const bad = checkJson(dir, ['--config', config]);
  assert.equal(bad.status, 2);
  assert.deepEqual(bad.report.problems.map((p) => [p.line, p.column]), [[rows[5].line, 'fu_months']]);
});

test('unreadable radiographs that would leave a split without events, and a missing keypoints file, are errors', () => {
  const dir = copy('no-test-events');
  const { rows } = rowsOf(dir);
  for (const r of rows.filter((row) => row.cells.split === 'test' && row.cells.fracture === '1')) writeFileSync(join(dir, r.cells.image), 'damaged');
  rmSync(join(dir, 'keypoints.json'));
  const { status, report } = checkJson(dir);
  assert.equal(status, 2);
  const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.file}: ${p.message}`);
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors.join('\n'), /keypoints\.json: not found/);
  assert.match(errors.join('\n'), /cohort\.csv: leaving out the \d+ patient\(s\) whose radiograph cannot be read: the test split has no events/);

  // The clinical half alone needs neither: with images off, neither radiographs nor keypoints are looked at.
  const config = join(work, 'no-images.json');
  writeFileSync(config, JSON.stringify({ images: { enabled: false } }));
  const clinical = checkJson(dir, ['--config', config]);
  assert.equal(clinical.status, 0, JSON.stringify(clinical.report.problems));
  assert.equal(clinical.report.images_used, false);
  assert.equal(clinical.report.images, null);
  assert.equal(clinical.report.annotations, null);
});
