/**
 * Checks on what a browser sends the viewer, before anything reaches the backend: UIDs in routes,
 * a keypoint correction, clinical values. Each failure is a RequestError whose message says which
 * field is wrong and why; the routes answer it with that status and message.
 */

/** An error the routes answer with `status` and this one-line message (no stack, no PHI). */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * A DICOM UID as PS3.5 9.1 allows it: digits in dot-separated components, at most 64 characters.
 * Leading zeros inside a component are not refused: real archives carry such UIDs, and the only point
 * here is that nothing but digits and dots ever reaches the backend (no path, no query text).
 */
const UID = /^[0-9]+(\.[0-9]+)*$/;

export function isUid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && UID.test(value);
}

export function checkUid(value: unknown): string {
  if (!isUid(value)) throw new RequestError(400, 'not a DICOM UID (digits and dots, at most 64 characters)');
  return value;
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  const names = ['L1', 'L2', 'L3', 'L4', 'L5'];
  for (let i = 0; i < 10; i++) {
    const v = kp[i];
    const which = `"keypoints"[${i}] (${names[i >> 1]} ${i % 2 === 0 ? 'x' : 'y'})`;
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
 * number or a short string. Whether a value makes sense for its column (sex F or M, a flag 0 or 1) is
 * the model's rule: the backend refuses it with an InputError, answered as 400 too.
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
  return { values, by: checkBy(body.by) };
}

/** ?center=&width= for the server-rendered PNG: both or neither; width > 0. */
export function checkWindow(query: unknown): { center: number; width: number } | null {
  const q = isRecord(query) ? query : {};
  const has = (k: string): boolean => q[k] !== undefined && q[k] !== '';
  if (!has('center') && !has('width')) return null;
  if (!has('center') || !has('width')) throw new RequestError(400, 'give both "center" and "width" (or neither, for the file\'s window)');
  const center = Number(q.center);
  const width = Number(q.width);
  if (!Number.isFinite(center)) throw new RequestError(400, '"center": not a finite number');
  if (!Number.isFinite(width) || width <= 0) throw new RequestError(400, '"width": must be a number > 0');
  return { center, width };
}
