/**
 * The one check of a change a clinician (or another system) makes to an instance: a keypoint
 * correction and clinical values. Both HTTP routes that take such a change, the viewer's POST and the
 * JSON API's PUT, run these before the backend sees anything, so the two can never accept different
 * things. Each failure is a RequestError whose message says which field is wrong and why.
 */

import { clinicalRangeProblem } from './clinical-ranges.js';
import { KEYPOINT_NAMES } from '../keypoints/index.js';

/** An error the routes answer with `status` and this one-line message (no stack, no PHI). */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Who made a change: free text, as the clinician typed it, within reason. */
function checkBy(by: unknown): string {
  if (typeof by !== 'string' || by.trim() === '') throw new RequestError(400, '"by": say who makes the change (a non-empty string)');
  const trimmed = by.trim();
  if (trimmed.length > 100) throw new RequestError(400, '"by": at most 100 characters');
  // Control characters would break the CSV and logs line by line.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new RequestError(400, '"by": no control characters');
  return trimmed;
}

export interface CorrectionRequest {
  keypoints: number[];
  by: string;
}

/**
 * {keypoints: [x1, y1, ..., x5, y5], by}: ten finite numbers, each point inside the image in COCO
 * pixels (x in [0, columns], y in [0, rows]: the image's outer edges are at 0 and its size).
 */
export function checkCorrection(body: unknown, rows: number, columns: number): CorrectionRequest {
  if (!isRecord(body)) throw new RequestError(400, 'expected a JSON object {"keypoints": [x1, y1, ..., x5, y5], "by": "..."}');
  const kp = body.keypoints;
  if (!Array.isArray(kp) || kp.length !== 10) throw new RequestError(400, '"keypoints": need 10 numbers (x, y for L1..L5)');
  for (let i = 0; i < 10; i++) {
    const v = kp[i];
    const which = `"keypoints"[${i}] (${KEYPOINT_NAMES[i >> 1]} ${i % 2 === 0 ? 'x' : 'y'})`;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RequestError(400, `${which}: not a finite number`);
    const limit = i % 2 === 0 ? columns : rows;
    if (v < 0 || v > limit) throw new RequestError(400, `${which} = ${v}: outside the image (0..${limit})`);
  }
  return { keypoints: kp as number[], by: checkBy(body.by) };
}

export interface ClinicalRequest {
  values: Record<string, string | number>;
  by: string;
}

const COLUMN = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * {values: {column: value, ...}, by}: column names as the cohort.csv names them, each value a finite
 * number or a short string, within what the column can be in a patient (clinical-ranges.ts: age 0-120,
 * BMI 10-80, a binary covariate 0 or 1, ...). Whether sex is F or M is the model's rule: the backend
 * refuses it with an InputError, answered as 400 too.
 */
export function checkClinical(body: unknown, known: readonly string[]): ClinicalRequest {
  if (!isRecord(body) || !isRecord(body.values)) throw new RequestError(400, 'expected a JSON object {"values": {"column": value, ...}, "by": "..."}');
  const entries = Object.entries(body.values);
  if (entries.length === 0) throw new RequestError(400, '"values": give at least one clinical value');
  const values: Record<string, string | number> = {};
  for (const [column, raw] of entries) {
    if (!COLUMN.test(column)) throw new RequestError(400, `"values": "${column.slice(0, 40)}" is not a column name`);
    if (!known.includes(column)) throw new RequestError(400, `"values"."${column}": not a clinical value of this model (${known.join(', ') || 'it reads none'})`);
    if (typeof raw === 'number') {
      if (!Number.isFinite(raw)) throw new RequestError(400, `"values"."${column}": not a finite number`);
      values[column] = raw;
    } else if (typeof raw === 'string') {
      const text = raw.trim();
      if (text === '' || text.length > 40 || /[\u0000-\u001f\u007f]/.test(text)) throw new RequestError(400, `"values"."${column}": give a value (at most 40 plain characters)`);
      values[column] = text;
    } else {
      throw new RequestError(400, `"values"."${column}": must be a number or a string`);
    }
  }
  const by = checkBy(body.by);
  for (const [column, value] of Object.entries(values)) {
    const problem = clinicalRangeProblem(column, value);
    if (problem !== null) throw new RequestError(400, `"values"."${column}": ${problem}`);
  }
  return { values, by };
}
