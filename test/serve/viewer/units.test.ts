/**
 * The viewer's small parts against hand-worked cases: UID and request checks, the worklist order,
 * the CSV (read back with csv-parse, an independent parser), the pixel transport types and the
 * public paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { checkClinical, checkCorrection, checkWindow, isUid, RequestError } from '../../../src/serve/viewer/request-checks.js';
import { worklist } from '../../../src/serve/viewer/worklist.js';
import { worklistCsv, WORKLIST_CSV_COLUMNS } from '../../../src/serve/viewer/worklist-csv.js';
import { pixelBuffer } from '../../../src/serve/viewer/pixels.js';
import { isViewerPublicPath } from '../../../src/serve/viewer/routes.js';
import type { ServedImage } from '../../../src/serve/backend.js';
import type { ScoreOutcome } from '../../../src/models/image/score-outcome.js';
import type { Radiograph } from '../../../src/imaging/index.js';

/** An image scored with `risk`, or flagged with `flags`, or (neither) received and not scored yet. */
function served(uid: string, risk: number | null, receivedAt: string, extra: Partial<ServedImage> & { flags?: string[]; warnings?: string[] } = {}): ServedImage {
  const { flags, warnings = [], ...rest } = extra;
  const stamp = { modelVersion: 'abcdef0123456789', scoredAt: receivedAt, predicted: null };
  const outcome: ScoreOutcome | null = flags !== undefined
    ? { status: 'flagged', ...stamp, flags, reason: `flagged: ${flags.join('; ')}` }
    : risk === null ? null : { status: 'scored', ...stamp, risk, surv: { 1: 0.99, 3: 0.95, 5: 0.9 }, percentile: 50, keypoints: [], keypointSource: 'detector', warnings };
  return {
    sopInstanceUid: uid, studyInstanceUid: `${uid}.1`, seriesInstanceUid: `${uid}.2`, status: outcome?.status ?? 'received', outcome,
    reason: outcome?.status === 'flagged' ? outcome.reason : null, predictedKeypoints: null, correctedKeypoints: null, changes: [], clinical: {},
    missingClinical: [], receivedAt, phi: { patientName: 'DOE^JANE', patientId: 'P1' }, ...rest,
  };
}

test('UIDs: digits and dots, at most 64 characters', () => {
  for (const ok of ['1', '1.2.840.10008.1.2.1', `2.25.${'9'.repeat(59)}`]) assert.equal(isUid(ok), true, ok);
  for (const bad of ['', '.', '1.', '.1', '1..2', '1.2a', '../1', '1/2', ' 1', '1.2\n', `2.25.${'9'.repeat(60)}`, 12]) assert.equal(isUid(bad), false, String(bad));
});

test('corrections: ten finite numbers inside the image, and a name', () => {
  const kp = [10, 20, 11, 40, 12, 60, 13, 80, 14, 100];
  assert.deepEqual(checkCorrection({ keypoints: kp, by: ' Dr A ' }, 120, 50), { keypoints: kp, by: 'Dr A' });
  // The outer edges themselves are inside (COCO: the image spans 0..columns, 0..rows).
  assert.doesNotThrow(() => checkCorrection({ keypoints: [0, 0, 50, 120, 12, 60, 13, 80, 14, 100], by: 'A' }, 120, 50));
  const refused = (body: unknown): string => {
    try {
      checkCorrection(body, 120, 50);
    } catch (error) {
      assert.ok(error instanceof RequestError);
      assert.equal(error.status, 400);
      return error.message;
    }
    return assert.fail('accepted');
  };
  assert.match(refused({ keypoints: [50.001, ...kp.slice(1)], by: 'A' }), /L1 x\) = 50.001: outside the image \(0\.\.50\)/);
  assert.match(refused({ keypoints: [...kp.slice(0, 9), 120.5], by: 'A' }), /L5 y\) = 120.5: outside the image \(0\.\.120\)/);
  assert.match(refused({ keypoints: [...kp.slice(0, 9), true], by: 'A' }), /not a finite number/);
  assert.match(refused({ keypoints: kp.slice(0, 8), by: 'A' }), /need 10 numbers/);
  assert.match(refused({ keypoints: kp, by: 'x'.repeat(101) }), /at most 100/);
  assert.match(refused(null), /expected a JSON object/);
});

test('clinical values: known columns, numbers or short text', () => {
  assert.deepEqual(checkClinical({ values: { sex: ' F ', age: 61 }, by: 'A' }, ['age', 'sex']), { values: { sex: 'F', age: 61 }, by: 'A' });
  assert.throws(() => checkClinical({ values: {}, by: 'A' }, ['age']), /at least one/);
  assert.throws(() => checkClinical({ values: { bmi: 3 }, by: 'A' }, ['age']), /not a clinical value of this model \(age\)/);
  assert.throws(() => checkClinical({ values: { age: [1] }, by: 'A' }, ['age']), /a number or a string/);
  assert.throws(() => checkClinical({ values: { 'Age;DROP': 1 }, by: 'A' }, ['age']), /not a column name/);
  assert.throws(() => checkClinical({ values: { age: 60 } }, ['age']), /"by"/);
});

test('window query: both or neither, width above 0', () => {
  assert.equal(checkWindow({}), null);
  assert.deepEqual(checkWindow({ center: '40', width: '400' }), { center: 40, width: 400 });
  assert.throws(() => checkWindow({ center: '40' }), /both/);
  assert.throws(() => checkWindow({ center: 'x', width: '4' }), /"center"/);
  assert.throws(() => checkWindow({ center: '1', width: '0' }), /"width"/);
});

test('worklist: scored by risk (highest first), then the rest by arrival; the name only with show-phi', () => {
  const images = [
    served('1.1', null, '2026-11-30T08:03:00Z'),
    served('1.2', -0.5, '2026-11-30T08:00:00Z'),
    served('1.3', 0.7, '2026-11-30T08:05:00Z'),
    served('1.4', null, '2026-11-30T08:01:00Z', { flags: ['spacing'] }),
    served('1.5', 0.7, '2026-11-30T08:02:00Z'),
    served('1.6', 0.1, '2026-11-30T08:04:00Z'),
  ];
  const list = worklist(images, false);
  assert.deepEqual(list.map((e) => e.sopInstanceUid), ['1.5', '1.3', '1.6', '1.2', '1.4', '1.1']);
  assert.equal(list.some((e) => 'patientName' in e), false);
  assert.equal(worklist(images, true)[0].patientName, 'DOE^JANE');
});

test('CSV: the fixed columns, RFC 4180 quoting, formulas disarmed in text but negative numbers kept', () => {
  const images = [
    served('1.2', -0.25, '2026-11-30T08:00:00Z', {
      warnings: ['@SUM(A1)', 'a "quoted", flag'],
      correctedKeypoints: { keypoints: [], by: '=HYPERLINK("http://x")', at: '2026-11-30T09:00:00Z' },
      phi: { patientName: '+DOE,JANE', patientId: 'P' },
    }),
    served('1.3', null, '2026-11-30T08:01:00Z', { correctedKeypoints: { keypoints: [], by: '-1\r\nTAB\t', at: '2026-11-30T09:00:00Z' } }),
    served('1.4', null, '2026-11-30T08:02:00Z', { flags: ['@SUM(A1)', 'a "quoted", flag'] }),
  ];
  const plain = worklistCsv(worklist(images, false), false);
  const rows = parse(plain, { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), [...WORKLIST_CSV_COLUMNS]);
  assert.equal(rows[0].risk, '-0.25');
  assert.equal(rows[0].surv_5, '0.9');
  assert.equal(rows[0].warnings, `'@SUM(A1); a "quoted", flag`);
  assert.equal(rows[2].flags, `'@SUM(A1); a "quoted", flag`);
  assert.equal(rows[2].risk, '');
  assert.equal(rows[0].corrected_by, `'=HYPERLINK("http://x")`);
  assert.equal(rows[1].corrected_by, "'-1\r\nTAB\t");
  assert.equal(rows[1].risk, '');
  assert.equal(rows[1].status, 'received');
  assert.ok(!plain.includes('DOE'));
  const phi = parse(worklistCsv(worklist(images, true), true), { columns: true }) as Record<string, string>[];
  assert.equal(phi[0].patient_name, `'+DOE,JANE`);
});

function radiograph(values: number[]): Radiograph {
  return { pixels: Float32Array.from(values), rows: 1, columns: values.length, window: { center: 0, width: 1, fromFile: false } } as Radiograph;
}

test('pixels: uint16 for 0..65535 integers, int16 for signed ones, float32 otherwise, little-endian', () => {
  const u = pixelBuffer(radiograph([0, 1, 65535]));
  assert.equal(u.type, 'uint16');
  assert.deepEqual([...u.bytes], [0, 0, 1, 0, 255, 255]);
  const s = pixelBuffer(radiograph([-1024, 3071]));
  assert.equal(s.type, 'int16');
  assert.deepEqual([s.bytes.readInt16LE(0), s.bytes.readInt16LE(2)], [-1024, 3071]);
  const f = pixelBuffer(radiograph([0.5, 70000]));
  assert.equal(f.type, 'float32');
  assert.deepEqual([f.bytes.readFloatLE(0), f.bytes.readFloatLE(4)], [0.5, 70000]);
  assert.equal(pixelBuffer(radiograph([-40000, 0])).type, 'float32');
});

test('public paths: the pages and their files, nothing under /api/', () => {
  for (const p of ['/', '/?token=abc', '/study/1.2.3', '/viewer/static/study.js', '/viewer/static/viewer.css']) assert.equal(isViewerPublicPath(p), true, p);
  for (const p of ['/api/viewer/worklist', '/api/health', '/study/1.2.3/../../api', '/viewer/static/../x.js', '/favicon.ico', '/study/']) assert.equal(isViewerPublicPath(p), false, p);
});
