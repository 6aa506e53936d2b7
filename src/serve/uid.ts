/**
 * UIDs arrive from the network, so nothing is built from them until they are checked, and file names
 * never contain them: a stored instance is named by a hash of its SOP Instance UID (no path traversal,
 * no patient field in a path, the same name for a re-sent instance).
 */
import { createHash } from 'node:crypto';

/** PS3.5 §9.1: digits and dots, components without leading zeros, at most 64 characters. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** Why `uid` is not a valid UID, in words that never repeat more than a short, printable prefix of it; null when valid. */
export function uidProblem(uid: string | undefined, what: string): string | null {
  if (uid === undefined || uid === '') return `no ${what}`;
  if (uid.length > 64) return `${what} is ${uid.length} characters long (at most 64)`;
  if (!UID.test(uid)) return `${what} is not a valid UID (digits and dots only): "${uid.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)}"`;
  return null;
}

/** A short, stable tag for logs: never the UID itself (UIDs can be looked up back to a patient in a PACS). */
export function uidTag(uid: string): string {
  return createHash('sha256').update(uid).digest('hex').slice(0, 12);
}

/** The stored file's name for an instance: hex only. */
export function instanceFileName(uid: string): string {
  return `${createHash('sha256').update(uid).digest('hex').slice(0, 40)}.dcm`;
}
