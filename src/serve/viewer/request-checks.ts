/**
 * Checks on what a browser sends the viewer, before anything reaches the backend: UIDs in routes,
 * a keypoint correction, clinical values. Each failure is a RequestError whose message says which
 * field is wrong and why; the routes answer it with that status and message.
 */

import { RequestError } from '../change-checks.js';
import { isUid } from '../uid.js';

// One UID rule for the whole server (src/serve/uid.ts); one check of a clinician's change for both the
// viewer's routes and the JSON API (src/serve/change-checks.ts).
export { isUid } from '../uid.js';
export { RequestError, checkClinical, checkCorrection, type ClinicalRequest, type CorrectionRequest } from '../change-checks.js';

export function checkUid(value: unknown): string {
  if (!isUid(value)) throw new RequestError(400, 'not a DICOM UID (digits and dots, at most 64 characters)');
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
