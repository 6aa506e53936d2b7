/**
 * What the web viewer (src/serve/viewer) needs from `spinesurv serve`, and nothing more: the list of
 * received radiographs with their scores, one radiograph's pixels and heatmap, and the two things a
 * clinician may change (a misplaced keypoint, a clinical value the header did not carry), each of which
 * re-scores the image. The server core (src/serve) implements it over its database and scoring loop;
 * the viewer's routes only call it, so the viewer never touches SQL, files or the engine.
 */
import type { Radiograph } from '../imaging/index.js';
import { outcomeFields, type ScoreOutcome } from '../models/image/score-outcome.js';
import type { PixelBuffer } from './viewer/pixels.js';

export type ServedStatus = 'received' | 'scored' | 'flagged' | 'failed';

/** A keypoint correction: the clinician's five points, and who made it when. */
export interface KeypointCorrection {
  /** x1, y1, ..., x5, y5 (L1..L5), COCO pixels on the radiograph. */
  keypoints: number[];
  by: string;
  /** ISO 8601. */
  at: string;
}

/** One entry of an image's change history: what was changed, to what, by whom and when. */
export interface ChangeRecord {
  kind: 'keypoints' | 'clinical';
  /** The keypoints (x1, y1, ..., x5, y5) or the clinical values set by this change. */
  value: number[] | Record<string, string | number>;
  by: string;
  /** ISO 8601. */
  at: string;
}

export interface ServedImage {
  /** SOP Instance UID as received (checked to be a valid UID before anything is stored). */
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** received until it has an outcome (and while it waits for clinical values); then its outcome's status. */
  status: ServedStatus;
  /**
   * Its current score (null until it has one): scored with the numbers, or flagged (the detector's
   * flags, or why the image cannot be a lateral lumbar radiograph: its tags or pixels), or failed
   * (unreadable; or scoring broke for a reason not the image's, to be tried again).
   */
  outcome: ScoreOutcome | null;
  /** Why it has no score, in words (the outcome's reason, or what it waits for); null when scored. */
  reason: string | null;
  /** The detector's keypoints (null until found); kept beside a clinician's correction. */
  predictedKeypoints: number[] | null;
  /** The latest correction, when a clinician moved a keypoint; the score then uses these. */
  correctedKeypoints: KeypointCorrection | null;
  /** Every change a clinician made (keypoints, clinical values), oldest first; never rewritten. */
  changes: ChangeRecord[];
  /** Clinical values used for the score (from the header, a CSV or the web page). */
  clinical: Record<string, string | number>;
  /** Clinical columns the model needs that are still missing (the image cannot be scored until given). */
  missingClinical: string[];
  receivedAt: string;
  /** Patient's name and ID: present only when the server runs with --show-phi. */
  phi?: { patientName: string; patientId: string };
}

/**
 * An image's score as every flat view of it shows it (the study page's JSON, /api/results, the
 * worklist): null, or empty, where the outcome has none or there is no outcome yet.
 */
export interface ScoreView {
  /** Log hazard ratio; null unless scored. */
  risk: number | null;
  /** Survival probability at "1", "3", "5" years; null unless scored. */
  surv: Record<string, number> | null;
  /** Percentile of the risk among the model's training patients; null unless scored. */
  percentile: number | null;
  /** Why it was not scored: the detector's flags, or why the image cannot be a lateral lumbar radiograph. */
  flags: string[];
  /**
   * Reasons to read a score with care although it was made, e.g. a clinical value outside the
   * model's training range (the risk is then an extrapolation); empty when none.
   */
  warnings: string[];
  /** The model version (sha256 prefix of the model folder) that made the outcome. */
  modelVersion: string | null;
  scoredAt: string | null;
}

export function scoreView(outcome: ScoreOutcome | null): ScoreView {
  if (outcome === null) return { risk: null, surv: null, percentile: null, flags: [], warnings: [], modelVersion: null, scoredAt: null };
  const { risk, surv, percentile, flags, warnings, modelVersion, scoredAt } = outcomeFields(outcome);
  return { risk, surv, percentile, flags, warnings, modelVersion, scoredAt };
}

/** The image's risk when it has one (the worklist's order). */
export function riskOf(image: ServedImage): number | null {
  return image.outcome?.status === 'scored' ? image.outcome.risk : null;
}

export interface ViewerBackend {
  /** Whether patient names may be shown (--show-phi). */
  readonly showPhi: boolean;
  /** Every received image, any status. */
  list(): Promise<ServedImage[]>;
  get(sopInstanceUid: string): Promise<ServedImage | undefined>;
  /** The stored radiograph, read with the project's reader (window from the file). */
  radiograph(sopInstanceUid: string): Promise<Radiograph | undefined>;
  /** The stored radiograph as an 8-bit PNG through a window (the file's when null), rendered off the main thread; undefined when not stored. */
  radiographPng(sopInstanceUid: string, window: { center: number; width: number } | null): Promise<Uint8Array | undefined>;
  /** The stored radiograph's modality values as the viewer's /pixels route sends them (viewer/pixels.ts), converted off the main thread; undefined when not stored. */
  radiographPixels(sopInstanceUid: string): Promise<(PixelBuffer & { window: { center: number; width: number } }) | undefined>;
  /** The Grad-CAM overlay as a PNG the size of the radiograph; undefined when not scored. */
  heatmapPng(sopInstanceUid: string): Promise<Uint8Array | undefined>;
  /** Stores the correction beside the predicted points and re-scores with it; resolves when scored. */
  correctKeypoints(sopInstanceUid: string, keypoints: number[], by: string): Promise<ServedImage>;
  /** Sets clinical values (e.g. from the web page) and re-scores; resolves when scored. */
  setClinical(sopInstanceUid: string, values: Record<string, string | number>, by: string): Promise<ServedImage>;
}
