/**
 * UIDs arrive from the network (DICOM commands and datasets, HTTP paths), so nothing is built from
 * them until they are checked, and file names never contain them: a stored instance is named by a
 * hash of its SOP Instance UID and its bytes (no path traversal, no patient field in a path). The one
 * UID check of `spinesurv serve`: the DICOM side, the JSON API and the viewer's routes all use it.
 */
import { createHash } from 'node:crypto';

/**
 * Digits in dot-separated components, at most 64 characters (PS3.5 §9.1). Leading zeros inside a
 * component are accepted although the standard forbids them: real modalities send such UIDs (e.g.
 * 1.2.840.10008.01.5), refusing them would leave images unscored, and the only point here is that
 * nothing but digits and dots is ever used.
 */
const UID = /^[0-9]+(\.[0-9]+)*$/;

export function isUid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && UID.test(value);
}

/**
 * Why `uid` is not a valid UID, or null when it is. The words never repeat the UID (it can be looked
 * up back to a patient in a PACS): they give its hash tag and the first character that is wrong.
 */
export function uidProblem(uid: string | undefined, what: string): string | null {
  if (uid === undefined || uid === '') return `no ${what}`;
  if (uid.length > 64) return `${what} ${uidTag(uid)} is ${uid.length} characters long (at most 64)`;
  if (UID.test(uid)) return null;
  const bad = [...uid].findIndex((c, i, all) => !/[0-9.]/.test(c) || (c === '.' && (i === 0 || i === all.length - 1 || all[i - 1] === '.')));
  const c = uid[bad];
  const shown = /[\x21-\x7e]/.test(c) ? `"${c}"` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${what} ${uidTag(uid)} is not a valid UID (digits and dots only): character ${bad + 1} is ${c === '.' ? 'a misplaced "."' : shown}`;
}

/** A short, stable tag for logs: never the UID itself (UIDs can be looked up back to a patient in a PACS). */
export function uidTag(uid: string): string {
  return createHash('sha256').update(uid).digest('hex').slice(0, 12);
}

/**
 * The stored file's name for an instance: hex only, from the SOP Instance UID and the sha256 of its
 * bytes, so that two associations sending the same UID with different bytes at once never rename
 * onto one file (the database row says which one is kept).
 */
export function instanceFileName(uid: string, sha256: string): string {
  return `${createHash('sha256').update(`${uid}\n${sha256}`).digest('hex').slice(0, 40)}.dcm`;
}

/** The name stores made before names carried the bytes' hash: such a file is still recognised on recovery. */
export function legacyInstanceFileName(uid: string): string {
  return `${createHash('sha256').update(uid).digest('hex').slice(0, 40)}.dcm`;
}
