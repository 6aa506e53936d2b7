/**
 * The worklist: every received image, highest risk first, so that the radiographs most worth a
 * clinician's look are at the top. Images without a score (waiting, flagged, failed, missing a
 * clinical value) follow in the order they arrived, oldest first: the longest-waiting comes first.
 * Ties in risk fall back on arrival order and then the UID, so the order never depends on the store.
 */
import { riskOf, scoreView, type ScoreView, type ServedImage } from '../backend.js';
import type { ScoreOutcome } from '../../models/image/score-outcome.js';

/** What a worklist line shows of the image itself, beside its score. */
export type WorklistInstance = Pick<ServedImage, 'sopInstanceUid' | 'studyInstanceUid' | 'status' | 'reason' | 'missingClinical' | 'receivedAt'> & {
  corrected: { by: string; at: string } | null;
  /** Only with --show-phi. */
  patientName?: string;
};

/**
 * One worklist line as the page and the CSV read it: the image, and its score (warnings are shown as a
 * badge: e.g. an age outside the training range); the patient's name only with --show-phi.
 */
export type WorklistEntry = WorklistInstance & Omit<ScoreView, 'modelVersion'>;

export function compareWorklist(a: ServedImage, b: ServedImage): number {
  const riskA = riskOf(a), riskB = riskOf(b);
  const scoredA = riskA !== null && Number.isFinite(riskA);
  const scoredB = riskB !== null && Number.isFinite(riskB);
  if (scoredA !== scoredB) return scoredA ? -1 : 1;
  if (scoredA && scoredB && riskA !== riskB) return (riskB as number) - (riskA as number);
  const ta = Date.parse(a.receivedAt), tb = Date.parse(b.receivedAt);
  if (ta !== tb && Number.isFinite(ta) && Number.isFinite(tb)) return ta - tb;
  return a.sopInstanceUid < b.sopInstanceUid ? -1 : a.sopInstanceUid > b.sopInstanceUid ? 1 : 0;
}

/** The line of an outcome (null: none yet) and what the image adds. */
export function worklistEntry(outcome: ScoreOutcome | null, instance: WorklistInstance): WorklistEntry {
  const { modelVersion: _notListed, ...score } = scoreView(outcome);
  return { ...instance, ...score };
}

/** What a worklist line shows of a served image besides its score. */
function worklistInstance(image: ServedImage, showPhi: boolean): WorklistInstance {
  const { sopInstanceUid, studyInstanceUid, status, reason, missingClinical, receivedAt, correctedKeypoints } = image;
  const instance: WorklistInstance = {
    sopInstanceUid, studyInstanceUid, status, reason, missingClinical, receivedAt,
    corrected: correctedKeypoints === null ? null : { by: correctedKeypoints.by, at: correctedKeypoints.at },
  };
  // Only with --show-phi, and then only the name: the ID adds nothing to finding the patient on a list.
  if (showPhi && image.phi !== undefined) instance.patientName = image.phi.patientName;
  return instance;
}

export function worklist(images: ServedImage[], showPhi: boolean): WorklistEntry[] {
  return [...images].sort(compareWorklist).map((i) => worklistEntry(i.outcome, worklistInstance(i, showPhi)));
}

/** The study page's JSON of an image: everything the backend knows, its score flat, PHI only with --show-phi. */
export type StudyView = Omit<ServedImage, 'outcome' | 'phi'> & ScoreView & { phi?: ServedImage['phi'] };

export function studyView(image: ServedImage, showPhi: boolean): StudyView {
  const { phi, outcome, ...rest } = image;
  const view: StudyView = { ...rest, ...scoreView(outcome) };
  return showPhi && phi !== undefined ? { ...view, phi } : view;
}
