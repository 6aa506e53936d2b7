/**
 * Checks on what the annotation page sends, before the store sees it. The points and the annotator's
 * name are checked as the viewer's keypoint correction is (change-checks.ts: ten finite numbers inside
 * the image, a non-empty name without control characters); the rest here. Each failure is a 400
 * RequestError naming the field.
 */
import { checkCorrection, RequestError } from '../change-checks.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(body: Record<string, unknown>, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new RequestError(400, `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')} (expected ${allowed.join(', ')})`);
}

function revisionOf(body: Record<string, unknown>): string {
  const r = body.revision;
  if (typeof r !== 'string' || !/^[0-9a-f]{16}$/.test(r)) throw new RequestError(400, '"revision": the revision the page loaded (16 hex digits)');
  return r;
}

/** Seconds spent on the image: 0 to a day (a tab left open overnight is not a measurement). */
function secondsOf(body: Record<string, unknown>): number {
  const s = body.seconds;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 86_400) throw new RequestError(400, '"seconds": a number from 0 to 86400');
  return Math.round(s * 10) / 10;
}

const by = (body: Record<string, unknown>): string => checkCorrection({ keypoints: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], by: body.by }, 1, 1).by;

export function checkAccept(body: unknown, rows: number, columns: number): { keypoints: number[]; by: string; seconds: number; revision: string } {
  if (!isRecord(body)) throw new RequestError(400, 'expected a JSON object {"keypoints": [x1, y1, ..., x5, y5], "by", "seconds", "revision"}');
  onlyKeys(body, ['keypoints', 'by', 'seconds', 'revision']);
  const { keypoints, by } = checkCorrection(body, rows, columns);
  return { keypoints, by, seconds: secondsOf(body), revision: revisionOf(body) };
}

export function checkSkip(body: unknown): { reason: string; by: string; seconds: number; revision: string } {
  if (!isRecord(body)) throw new RequestError(400, 'expected a JSON object {"reason", "by", "seconds", "revision"}');
  onlyKeys(body, ['reason', 'by', 'seconds', 'revision']);
  const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
  if (reason === '' || reason.length > 200 || /[\u0000-\u001f\u007f]/.test(reason)) {
    throw new RequestError(400, '"reason": why the radiograph is skipped (e.g. "L5 not visible"), 1-200 characters, no control characters');
  }
  return { reason, by: by(body), seconds: secondsOf(body), revision: revisionOf(body) };
}

export function checkUndo(body: unknown): { revision: string } {
  if (!isRecord(body)) throw new RequestError(400, 'expected a JSON object {"revision"}');
  onlyKeys(body, ['revision']);
  return { revision: revisionOf(body) };
}

/** :index in a route: a whole number naming an item of the worklist. */
export function checkIndex(value: unknown, count: number): number {
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) throw new RequestError(400, 'not a worklist index (a whole number)');
  const index = Number(value);
  if (index >= count) throw new RequestError(404, `no radiograph ${index} in the worklist (it has ${count})`);
  return index;
}
