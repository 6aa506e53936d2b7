/**
 * The worklist: every received image, highest risk first, so that the radiographs most worth a
 * clinician's look are at the top. Images without a score (waiting, flagged, failed, missing a
 * clinical value) follow in the order they arrived, oldest first: the longest-waiting comes first.
 * Ties in risk fall back on arrival order and then the UID, so the order never depends on the store.
 */
import type { ServedImage } from '../backend.js';

/** One worklist line as the page and the CSV read it; the patient's name only with --show-phi. */
export interface WorklistEntry {
  sopInstanceUid: string;
  studyInstanceUid: string;
  status: ServedImage['status'];
  risk: number | null;
  surv: Record<string, number> | null;
  percentile: number | null;
  flags: string[];
  /** Reasons to read the score with care (e.g. an age outside the training range); shown as a badge. */
  warnings: string[];
  reason: string | null;
  missingClinical: string[];
  corrected: { by: string; at: string } | null;
  receivedAt: string;
  scoredAt: string | null;
  patientName?: string;
}

export function compareWorklist(a: ServedImage, b: ServedImage): number {
  const scoredA = a.risk !== null && Number.isFinite(a.risk);
  const scoredB = b.risk !== null && Number.isFinite(b.risk);
  if (scoredA !== scoredB) return scoredA ? -1 : 1;
  if (scoredA && scoredB && a.risk !== b.risk) return (b.risk as number) - (a.risk as number);
  const ta = Date.parse(a.receivedAt), tb = Date.parse(b.receivedAt);
  if (ta !== tb && Number.isFinite(ta) && Number.isFinite(tb)) return ta - tb;
  return a.sopInstanceUid < b.sopInstanceUid ? -1 : a.sopInstanceUid > b.sopInstanceUid ? 1 : 0;
}

export function worklistEntry(image: ServedImage, showPhi: boolean): WorklistEntry {
  const entry: WorklistEntry = {
    sopInstanceUid: image.sopInstanceUid,
    studyInstanceUid: image.studyInstanceUid,
    status: image.status,
    risk: image.risk,
    surv: image.surv,
    percentile: image.percentile,
    flags: image.flags,
    warnings: image.warnings,
    reason: image.reason,
    missingClinical: image.missingClinical,
    corrected: image.correctedKeypoints === null ? null : { by: image.correctedKeypoints.by, at: image.correctedKeypoints.at },
    receivedAt: image.receivedAt,
    scoredAt: image.scoredAt,
  };
  // Only with --show-phi, and then only the name: the ID adds nothing to finding the patient on a list.
  if (showPhi && image.phi !== undefined) entry.patientName = image.phi.patientName;
  return entry;
}

export function worklist(images: ServedImage[], showPhi: boolean): WorklistEntry[] {
  return [...images].sort(compareWorklist).map((i) => worklistEntry(i, showPhi));
}

/** One image for the study page: everything the backend knows, PHI only with --show-phi. */
export function studyView(image: ServedImage, showPhi: boolean): Omit<ServedImage, 'phi'> & { phi?: ServedImage['phi'] } {
  const { phi, ...rest } = image;
  return showPhi && phi !== undefined ? { ...rest, phi } : rest;
}
