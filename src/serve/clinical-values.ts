/**
 * Clinical covariates for a received radiograph: age and sex from its DICOM header where present
 * (Patient's Birth Date and Study Date, or else Patient's Age; Patient's Sex), the rest from the
 * `--clinical CSV` (one row per patient, matched on the `patient_id` column against the header's
 * Patient ID, or else on an `accession_number` column against Accession Number), and later from the
 * web page. The header wins over the CSV for age and sex; values set on the web page win over both.
 */
import { readCsv, isMissingCell } from '../util/csv.js';
import { InputError } from '../util/errors.js';

export type Clinical = Record<string, string | number>;

/** Patient's Age (AS, e.g. "065Y", "030M") in years, fraction kept (030M is 2.5); null when absent or malformed. */
export function ageFromAgeString(value: string | undefined): number | null {
  const m = /^(\d{3})([DWMY])$/.exec((value ?? '').trim());
  if (m === null) return null;
  const n = Number(m[1]);
  const perYear: Record<string, number> = { D: 365.25, W: 365.25 / 7, M: 12, Y: 1 };
  return n / perYear[m[2]];
}

function dateOf(da: string | undefined): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec((da ?? '').trim());
  if (m === null) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Age in years at the study from Patient's Birth Date and Study Date (DA, YYYYMMDD); null when either is missing. */
export function ageFromDates(birth: string | undefined, study: string | undefined): number | null {
  const b = dateOf(birth), s = dateOf(study);
  if (b === null || s === null || s < b) return null;
  return Math.round(((s.getTime() - b.getTime()) / (365.25 * 86_400_000)) * 10) / 10;
}

/** Age and sex from the header's identifying tags (the reader's `phi`). */
export function headerClinical(phi: Record<string, string>): Clinical {
  const out: Clinical = {};
  // The dates first: they give the age to a tenth of a year, where Patient's Age is whole years (or months).
  const age = ageFromDates(phi.PatientBirthDate, phi.StudyDate) ?? ageFromAgeString(phi.PatientAge);
  if (age !== null) out.age = age;
  const sex = (phi.PatientSex ?? '').trim().toUpperCase();
  if (sex === 'F' || sex === 'M') out.sex = sex;
  return out;
}

/** The --clinical CSV, indexed by patient ID and by accession number. */
export class ClinicalTable {
  private constructor(
    private readonly byPatient: Map<string, Clinical>,
    private readonly byAccession: Map<string, Clinical>,
  ) {}

  static empty(): ClinicalTable {
    return new ClinicalTable(new Map(), new Map());
  }

  static read(path: string): ClinicalTable {
    const table = readCsv(path);
    const hasPatient = table.has('patient_id');
    const hasAccession = table.has('accession_number');
    if (!hasPatient && !hasAccession) {
      throw new InputError(`${path}: needs a "patient_id" or an "accession_number" column to match radiographs to rows (columns: ${table.header.join(', ')})`);
    }
    const byPatient = new Map<string, Clinical>();
    const byAccession = new Map<string, Clinical>();
    const keys = new Set(['patient_id', 'accession_number']);
    table.rows.forEach((row, i) => {
      const values: Clinical = {};
      table.header.forEach((column, c) => {
        if (!keys.has(column) && !isMissingCell(row[c])) values[column] = row[c].trim();
      });
      for (const [column, index] of [['patient_id', byPatient], ['accession_number', byAccession]] as const) {
        if (!table.has(column)) continue;
        const key = row[table.columnIndex(column)].trim();
        if (key === '') continue;
        // A repeated key is a mistake in the file; naming its line beats silently taking one of the rows.
        if (index.has(key)) throw new InputError(`${path}: line ${i + 2}: ${column} appears on an earlier line too`);
        index.set(key, values);
      }
    });
    return new ClinicalTable(byPatient, byAccession);
  }

  /** The row for a radiograph: by Patient ID first, then by Accession Number. */
  lookup(patientId: string, accessionNumber: string): Clinical {
    return (patientId !== '' ? this.byPatient.get(patientId) : undefined) ?? (accessionNumber !== '' ? this.byAccession.get(accessionNumber) : undefined) ?? {};
  }
}

/** What a radiograph is scored with: CSV row, then header (age, sex), then the values set later. */
export function mergeClinical(csv: Clinical, header: Clinical, set: Clinical): Clinical {
  return { ...csv, ...header, ...set };
}

/** The model's covariates that have no value. */
export function missingCovariates(covariates: string[], clinical: Clinical): string[] {
  return covariates.filter((c) => {
    const v = clinical[c];
    return v === undefined || (typeof v === 'string' && isMissingCell(v));
  });
}
