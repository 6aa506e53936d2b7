/** Clinical values from the header and the --clinical CSV: hand-worked cases (ages by calendar arithmetic done by hand / Python's datetime). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinicalTable, ageFromAgeString, ageFromDates, headerClinical, mergeClinical, missingCovariates } from '../../src/serve/clinical-values.js';
import { InputError } from '../../src/util/errors.js';

test("Patient's Age strings: years, months, weeks, days; anything else is no age", () => {
  assert.equal(ageFromAgeString('065Y'), 65);
  assert.equal(ageFromAgeString('006M'), 0.5);
  assert.ok(Math.abs(ageFromAgeString('052W')! - 0.9965776865160849) < 1e-12); // 52 * 7 / 365.25
  assert.equal(ageFromAgeString('65'), null);
  assert.equal(ageFromAgeString(''), null);
  assert.equal(ageFromAgeString(undefined), null);
});

test('age from birth date and study date, to a tenth of a year; missing or reversed dates give none', () => {
  // 27,758 days / 365.25 = 75.998 -> 76.0; 23,375 days -> 63.997 -> 64.0 (Python datetime).
  assert.equal(ageFromDates('19500615', '20260614'), 76.0);
  assert.equal(ageFromDates('19600301', '20240229'), 64.0);
  assert.equal(ageFromDates('20260101', '20250101'), null);
  assert.equal(ageFromDates('', '20250101'), null);
  assert.equal(ageFromDates('1950-06-15', '20260614'), null);
});

test('header: the dates win over Patient\'s Age (they keep the fraction); Patient\'s Age alone keeps months; sex F or M only', () => {
  // 1950-01-01 to 2026-07-01 is 27,940 days = 76.496 years -> 76.5 (Python datetime), where 076Y says 76.
  assert.deepEqual(headerClinical({ PatientAge: '076Y', PatientBirthDate: '19500101', StudyDate: '20260701', PatientSex: 'f' }), { age: 76.5, sex: 'F' });
  assert.deepEqual(headerClinical({ PatientAge: '070Y', PatientBirthDate: '19500615', StudyDate: '', PatientSex: 'M' }), { age: 70, sex: 'M' });
  assert.deepEqual(headerClinical({ PatientAge: '030M' }), { age: 2.5 });
  assert.deepEqual(headerClinical({ PatientBirthDate: '19500615', StudyDate: '20260614', PatientSex: 'O' }), { age: 76 });
  assert.deepEqual(headerClinical({}), {});
});

test('--clinical CSV: rows by patient_id, then accession_number; the header wins for age and sex, later values win over both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spinesurv-clin-'));
  try {
    const csv = join(dir, 'c.csv');
    writeFileSync(csv, 'patient_id,accession_number,age,sex,bmi\nP1,A1,60,F,22.5\n,A2,55,M,\nP3,,70,F,NA\n');
    const t = ClinicalTable.read(csv);
    assert.deepEqual(t.lookup('P1', ''), { age: '60', sex: 'F', bmi: '22.5' });
    assert.deepEqual(t.lookup('nobody', 'A2'), { age: '55', sex: 'M' });
    assert.deepEqual(t.lookup('P3', 'A1'), { age: '70', sex: 'F' }, 'patient ID first; NA is missing');
    assert.deepEqual(t.lookup('', ''), {});
    const merged = mergeClinical(t.lookup('P1', ''), { age: 61 }, { bmi: 23 });
    assert.deepEqual(merged, { age: 61, sex: 'F', bmi: 23 });
    assert.deepEqual(missingCovariates(['age', 'sex', 'glucocorticoid'], merged), ['glucocorticoid']);

    writeFileSync(csv, 'patient_id,age\nP1,60\nP1,61\n');
    assert.throws(() => ClinicalTable.read(csv), (e: unknown) => e instanceof InputError && /line 3: patient_id appears on an earlier line too/.test(e.message));
    writeFileSync(csv, 'id,age\nP1,60\n');
    assert.throws(() => ClinicalTable.read(csv), /needs a "patient_id" or an "accession_number" column/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
