/**
 * `spinesurv cohort import` on a fake PACS export built from a small synthetic cohort: 300 patients,
 * about 1,600 files. Each patient has a baseline study (a lateral told by ViewPosition, by
 * PatientOrientation, or by the descriptions only, and an AP view), a later study (lateral and AP) and
 * an earlier chest radiograph; some have a second lateral, a radiograph of unknown view or of unknown
 * body part; a few have only a radiograph of unknown view (or of contradictory view) at baseline, and
 * are then picked with --pick. Half the export sits under a DICOMDIR with ISO file names without
 * extensions, the other half in long-named folders with .dcm files; truncated DICOM files, files that
 * are not DICOM, patients without a clinical row and clinical rows without a file are mixed in.
 * Headers are rewritten with dcmtk's dcmodify, many files per call. Every file's expected decision is
 * recorded as the export is built, and the report must give exactly that for every file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../../src/synth/index.js';
import { formatCsv, readCsv } from '../../src/util/csv.js';
import { tool } from '../imaging/dcmtk.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, 'cohort', 'import', ...args], { encoding: 'utf8' });

const PATIENTS = 300;
/** The last patients of the export have no clinical row. */
const WITHOUT_CLINICAL_ROW = 6;
/** Clinical rows whose patient has no file in the export. */
const EXTRA_CLINICAL_ROWS = ['NOPACS01', 'NOPACS02', 'NOPACS03', 'NOPACS04'];

interface PlannedFile {
  /** Relative to the export folder. */
  name: string;
  patient: number;
  /** dcmodify arguments; files with the same arguments are modified in one call. */
  modify: string[];
  code: string;
}

let work: string;
let pacs: string;
let clinical: string;
const planned: PlannedFile[] = [];
/** Patient index -> the name of the file that must be taken (baseline lateral, or the one to pick). */
const expected = new Map<number, string>();
/** Patients whose baseline has no lateral that can be told: nothing taken until --pick. */
const toPick = new Set<number>();

const id = (i: number) => `SYN${String(i + 1).padStart(4, '0')}`;
const baselineDate = (i: number) => `2015${String(1 + (i % 4)).padStart(2, '0')}10`;
const laterDate = (i: number) => `2017${String(1 + (i % 4)).padStart(2, '0')}20`;
const chestDate = (i: number) => `2013${String(1 + (i % 4)).padStart(2, '0')}05`;

/** Header rewrites, as dcmodify arguments. */
const set = (tag: string, value: string) => ['-i', `(${tag})=${value}`];
const remove = (tag: string) => ['-e', `(${tag})`];
const VIEW_POSITION = '0018,5101';
const ORIENTATION = '0020,0020';
const SERIES_DESCRIPTION = '0008,103e';
const PROTOCOL = '0018,1030';
const BODY_PART = '0018,0015';
const VIEW_CODES = '0054,0220';
const NEW_STUDY_UID = ['-gst', '-gse', '-gin'];

function lateralVariant(i: number): string[] {
  switch (i % 6) {
    case 1: // told by PatientOrientation alone
      return [...remove(VIEW_POSITION), ...remove(VIEW_CODES), ...set(SERIES_DESCRIPTION, 'LUMBAR SPINE')];
    case 2: // told by the series description alone
      return [...remove(VIEW_POSITION), ...remove(VIEW_CODES), ...remove(ORIENTATION), ...set(SERIES_DESCRIPTION, 'L-SPINE LAT')];
    case 3: // no body part tag: lumbar from the protocol name
      return [...set(VIEW_POSITION, 'LATERAL'), ...remove(BODY_PART), ...set(SERIES_DESCRIPTION, 'Series 1'), ...set(PROTOCOL, 'LWS seitlich')];
    case 4:
      return [...set(VIEW_POSITION, 'RL'), ...set(SERIES_DESCRIPTION, 'L-SPINE LAT')];
    default:
      return [...set(SERIES_DESCRIPTION, 'L-SPINE LAT')];
  }
}

const AP = [...set(VIEW_POSITION, 'AP'), ...remove(VIEW_CODES), ...set(ORIENTATION, 'L\\F'), ...set(SERIES_DESCRIPTION, 'L-SPINE AP')];
const UNKNOWN_VIEW = [...remove(VIEW_POSITION), ...remove(VIEW_CODES), ...remove(ORIENTATION), ...set(SERIES_DESCRIPTION, 'L-SPINE')];
const CONTRADICTORY_VIEW = [...set(SERIES_DESCRIPTION, 'L-SPINE AP')]; // ViewPosition LL, orientation P\F

/** Where patient i's files go: half under a DICOMDIR (ISO names), half in long-named folders. */
function pathFor(i: number, study: number, series: number, k: number): string {
  if (i < PATIENTS / 2) return `PACS1/P${String(i).padStart(3, '0')}/S${study}/R${series}/IM${String(k).padStart(6, '0')}`;
  return `export2/Patient ${id(i)}/Study ${study}/Series ${series}/IMG${String(k).padStart(5, '0')}.dcm`;
}

function plan(i: number, name: string, modify: string[], code: string): void {
  planned.push({ name, patient: i, modify, code });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'spinesurv-cohort-import-'));
  const synth = join(work, 'synth');
  await generateCohort({ out: synth, patients: PATIENTS, size: 64, seed: 11, workers: 0 });
  pacs = join(work, 'pacs');
  let k = 0;
  for (let i = 0; i < PATIENTS; i++) {
    const hasRow = i < PATIENTS - WITHOUT_CLINICAL_ROW;
    const code = (c: string) => (hasRow ? c : 'no-clinical-row');
    const base = [...set('0008,0020', baselineDate(i)), ...set('0008,0030', '093000')];
    const special = i % 50 === 17 ? 'unknown' : i % 50 === 33 ? 'contradictory' : null;
    const baseline = pathFor(i, 1, 1, ++k);
    if (special === null) {
      plan(i, baseline, [...base, ...lateralVariant(i)], code('baseline-lateral'));
    } else {
      plan(i, baseline, [...base, ...(special === 'unknown' ? UNKNOWN_VIEW : CONTRADICTORY_VIEW)], code('view-unknown'));
      if (hasRow) toPick.add(i);
    }
    expected.set(i, baseline);
    plan(i, pathFor(i, 1, 2, ++k), [...base, ...AP, ...set('0020,0011', '2')], code('frontal-view'));
    if (i % 6 === 5 && special === null) {
      plan(i, pathFor(i, 1, 1, ++k), [...base, ...lateralVariant(i), ...set('0020,0013', '2')], code('another-lateral'));
      plan(i, pathFor(i, 1, 3, ++k), [...base, ...UNKNOWN_VIEW, ...set('0020,0011', '3')], code('view-unknown'));
    }
    if (i % 50 === 41) {
      plan(i, pathFor(i, 1, 4, ++k), [...base, ...remove(BODY_PART), ...set(SERIES_DESCRIPTION, 'SKELETAL SURVEY')], code('body-part-unknown'));
    }
    const later = [...set('0008,0020', laterDate(i)), ...NEW_STUDY_UID];
    plan(i, pathFor(i, 2, 1, ++k), [...later, ...set(SERIES_DESCRIPTION, 'L-SPINE LAT')], code('later-study'));
    plan(i, pathFor(i, 2, 2, ++k), [...later, ...AP], code('frontal-view'));
    plan(i, pathFor(i, 3, 1, ++k), [...set('0008,0020', chestDate(i)), ...NEW_STUDY_UID, ...set(BODY_PART, 'CHEST'), ...AP.slice(0, 2), ...set(SERIES_DESCRIPTION, 'CHEST PA')], code('other-body-part'));
  }
  for (const f of planned) {
    mkdirSync(dirname(join(pacs, f.name)), { recursive: true });
    copyFileSync(join(synth, 'images', `${id(f.patient)}.dcm`), join(pacs, f.name));
  }
  const groups = new Map<string, string[]>();
  for (const f of planned) {
    const key = JSON.stringify(f.modify);
    groups.set(key, [...(groups.get(key) ?? []), join(pacs, f.name)]);
  }
  for (const [key, files] of groups) tool('dcmodify', ['-nb', '-q', ...(JSON.parse(key) as string[]), ...files]);
  // The DICOMDIR of the first half, made before the files it cannot index are added.
  spawnSync('dcmmkdir', ['-q', '+r', '+I', ...readdirSync(join(pacs, 'PACS1'))], { cwd: join(pacs, 'PACS1') });
  assert.ok(existsSync(join(pacs, 'PACS1', 'DICOMDIR')), 'dcmmkdir wrote the DICOMDIR');
  planned.push({ name: 'PACS1/DICOMDIR', patient: -1, modify: [], code: 'dicomdir' });
  // Unreadable: truncated copies (the header intact, the pixels cut), and DICM with nothing after it.
  for (let i = 4; i < PATIENTS; i += 10) {
    const name = pathFor(i, 2, 9, ++k);
    mkdirSync(dirname(join(pacs, name)), { recursive: true });
    copyFileSync(join(pacs, expected.get(i)!), join(pacs, name));
    truncateSync(join(pacs, name), 1600);
    planned.push({ name, patient: i, modify: [], code: 'unreadable' });
  }
  for (const n of [1, 2, 3]) {
    const name = `export2/broken${n}`;
    writeFileSync(join(pacs, name), Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([2, 0, 1, 0, 0x4f, 0x42, 0, 0, 0xff, 0xff])]));
    planned.push({ name, patient: -1, modify: [], code: 'unreadable' });
  }
  for (const [name, body] of [['PACS1/README.TXT', 'Exported by PACS'], ['export2/Thumbs.db', ''], ['export2/viewer/index.html', '<html></html>'], ['export2/Patient SYN0200/preview.jpg', '\xff\xd8\xff\xe0 not really']]) {
    mkdirSync(dirname(join(pacs, name)), { recursive: true });
    writeFileSync(join(pacs, name), body);
    planned.push({ name, patient: -1, modify: [], code: 'not-dicom' });
  }
  // The clinical file: the synthetic cohort's rows without its image paths, the id column renamed.
  const table = readCsv(join(synth, 'cohort.csv'));
  const keep = table.header.map((h, c) => [h, c] as const).filter(([h]) => h !== 'image' && h !== 'mask');
  const header = keep.map(([h]) => (h === 'patient_id' ? 'mrn' : h));
  const rows = table.rows.slice(0, PATIENTS - WITHOUT_CLINICAL_ROW).map((r) => keep.map(([, c]) => r[c]));
  for (const extra of EXTRA_CLINICAL_ROWS) rows.push(header.map((h, c) => (h === 'mrn' ? extra : rows[0][c])));
  clinical = join(work, 'clinical.csv');
  writeFileSync(clinical, formatCsv(header, rows));
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Every file of the export with its size and modification time: the import must change none. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${p} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

function report(out: string): Map<string, Record<string, string>> {
  const t = readCsv(join(out, 'import-report.csv'));
  return new Map(t.rows.map((r, i) => [r[0] === '' ? `clinical:${i}` : r[0], Object.fromEntries(t.header.map((h, c) => [h, r[c]]))]));
}

test('the fake export is as large and as mixed as the issue asks', (t) => {
  t.diagnostic(`${planned.length} files in the export`);
  assert.equal(planned.length, new Set(planned.map((f) => f.name)).size);
  assert.ok(planned.length >= 1500, `${planned.length} files`);
  const codes = new Set(planned.map((f) => f.code));
  for (const c of ['frontal-view', 'other-body-part', 'later-study', 'unreadable', 'not-dicom', 'dicomdir', 'view-unknown']) assert.ok(codes.has(c), c);
});

test('picks every patient\'s baseline lateral, accounts for every file, and never changes the export', (t) => {
  const before = snapshot(pacs);
  const out = join(work, 'cohort');
  const started = Date.now();
  const r = run(['--dicom', pacs, '--clinical', clinical, '--id-column', 'mrn', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  t.diagnostic(`import: ${Date.now() - started} ms wall; ${r.stderr.trim().split('\n').pop()}`);
  assert.doesNotMatch(r.stderr + r.stdout, /SYN\d{4}|NOPACS/, 'no patient id in the logs');
  assert.equal(snapshot(pacs), before, 'the export is unchanged');
  const summary = JSON.parse(r.stdout) as { files: number; cohort_rows: number; rows_without_radiograph: number };
  assert.equal(summary.files, planned.length);

  const rows = report(out);
  for (const f of planned) {
    const row = rows.get(f.name);
    assert.ok(row !== undefined, `${f.name} is in the report`);
    assert.equal(row.code, f.code, `${f.name}: ${row.reason}`);
    assert.equal(row.decision, f.code === 'baseline-lateral' ? 'taken' : 'left', f.name);
  }
  const fileRows = [...rows.keys()].filter((k) => !k.startsWith('clinical:'));
  assert.equal(fileRows.length, planned.length, 'one report row per file, no more');

  const withRow = PATIENTS - WITHOUT_CLINICAL_ROW;
  const cohort = readCsv(join(out, 'cohort.csv'));
  assert.equal(cohort.length, withRow - toPick.size);
  assert.deepEqual(cohort.header.slice(-1), ['image']);
  const ids = cohort.strings('mrn');
  const images = cohort.strings('image');
  for (let j = 0; j < cohort.length; j++) {
    const i = Number(ids[j].slice(3)) - 1;
    assert.ok(!toPick.has(i));
    assert.deepEqual(readFileSync(join(out, images[j])), readFileSync(join(pacs, expected.get(i)!)), `${ids[j]}'s image is its baseline lateral`);
  }
  // Clinical rows without a radiograph: the patients to pick, and the rows with no file at all.
  const missing = [...rows.entries()].filter(([k]) => k.startsWith('clinical:')).map(([, v]) => v);
  assert.equal(missing.length, toPick.size + EXTRA_CLINICAL_ROWS.length);
  assert.ok(missing.every((m) => m.code === 'no-radiograph'));
  assert.deepEqual(missing.filter((m) => /no file of this patient/.test(m.reason)).map((m) => m.patient).sort(), EXTRA_CLINICAL_ROWS);
  assert.equal(summary.rows_without_radiograph, missing.length);
  assert.ok(readdirSync(work).every((n) => !n.includes('.tmp-')), 'no temporary folder left');
});

test('--pick chooses for the patients whose view cannot be told; --link hard-links', () => {
  const pick = join(work, 'pick.csv');
  writeFileSync(pick, formatCsv(['id', 'file'], [...toPick].map((i) => [id(i), expected.get(i)!])));
  const out = join(work, 'cohort-picked');
  const r = run(['--dicom', pacs, '--clinical', clinical, '--id-column', 'mrn', '--out', out, '--pick', pick, '--link']);
  assert.equal(r.status, 0, r.stderr);
  const cohort = readCsv(join(out, 'cohort.csv'));
  assert.equal(cohort.length, PATIENTS - WITHOUT_CLINICAL_ROW);
  const rows = report(out);
  for (const i of toPick) {
    assert.equal(rows.get(expected.get(i)!)!.code, 'picked');
    const others = [...rows.values()].filter((row) => row.patient === id(i) && row.code === 'another-picked');
    assert.equal(others.length, 1, 'the later lateral is left for the picked one');
  }
  const ids = cohort.strings('mrn');
  const images = cohort.strings('image');
  for (let j = 0; j < cohort.length; j++) {
    const i = Number(ids[j].slice(3)) - 1;
    assert.equal(statSync(join(out, images[j])).ino, statSync(join(pacs, expected.get(i)!)).ino, `${ids[j]} is hard-linked`);
  }
});

test('bad input is exit 2 naming the file, line and column; nothing is written', () => {
  const out = join(work, 'never');
  const text = readFileSync(clinical, 'utf8');
  const noId = run(['--dicom', pacs, '--clinical', clinical, '--id-column', 'patient', '--out', out]);
  assert.equal(noId.status, 2);
  assert.match(noId.stderr, /clinical\.csv: line 1: no column "patient"/);

  const lines = text.trimEnd().split('\n');
  const duplicated = join(work, 'duplicated.csv');
  writeFileSync(duplicated, [...lines.slice(0, 6), lines[3], ...lines.slice(6)].join('\n') + '\n');
  const dup = run(['--dicom', pacs, '--clinical', duplicated, '--id-column', 'mrn', '--out', out]);
  assert.equal(dup.status, 2);
  assert.match(dup.stderr, /duplicated\.csv: line 7, column "mrn": the same id as line 4/);
  assert.doesNotMatch(dup.stderr, /SYN\d{4}/);

  const notDir = run(['--dicom', clinical, '--clinical', clinical, '--id-column', 'mrn', '--out', out]);
  assert.equal(notDir.status, 2);
  assert.match(notDir.stderr, /clinical\.csv: is not a folder/);

  const badPick = join(work, 'bad-pick.csv');
  writeFileSync(badPick, formatCsv(['id', 'file'], [[id(0), 'export2/broken1']]));
  const pick = run(['--dicom', pacs, '--clinical', clinical, '--id-column', 'mrn', '--out', out, '--pick', badPick]);
  assert.equal(pick.status, 2);
  assert.match(pick.stderr, /bad-pick\.csv: line 2, column "file": unreadable/);

  const inside = run(['--dicom', pacs, '--clinical', clinical, '--id-column', 'mrn', '--out', join(pacs, 'cohort')]);
  assert.equal(inside.status, 2);
  assert.ok(!existsSync(out) && !existsSync(join(pacs, 'cohort')));
});
