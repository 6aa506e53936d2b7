/**
 * What the web viewer (src/serve/viewer) needs from `spinesurv serve`, and nothing more: the list of
 * received radiographs with their scores, one radiograph's pixels and heatmap, and the two things a
 * clinician may change (a misplaced keypoint, a clinical value the header did not carry), each of which
 * re-scores the image. The server core (src/serve) implements it over its database and scoring loop;
 * the viewer's routes only call it, so the viewer never touches SQL, files or the engine.
 */
import type { Radiograph } from '../imaging/index.js';
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
  status: ServedStatus;
  /** Log hazard ratio; null until scored. */
  risk: number | null;
  /** Survival probability at "1", "3", "5" years; null until scored. */
  surv: Record<string, number> | null;
  /** Percentile of the risk among the model's training patients; null until scored. */
  percentile: number | null;
  /** Why it was not scored: the detector's flags, or why the image cannot be a lateral lumbar radiograph (its tags or pixels). */
  flags: string[];
  /**
   * Reasons to read a score with care although it was made, e.g. a clinical value outside the
   * model's training range (the risk is then an extrapolation); empty when none.
   */
  warnings: string[];
  /** A failure's reason, in words; null otherwise. */
  reason: string | null;
  /** The detector's keypoints (null until found). */
  predictedKeypoints: number[] | null;
  /** The latest correction, when a clinician moved a keypoint; the score then uses these. */
  correctedKeypoints: KeypointCorrection | null;
  /** Every change a clinician made (keypoints, clinical values), oldest first; never rewritten. */
  changes: ChangeRecord[];
  /** Clinical values used for the score (from the header, a CSV or the web page). */
  clinical: Record<string, string | number>;
  /** Clinical columns the model needs that are still missing (the image cannot be scored until given). */
  missingClinical: string[];
  /** The model version (sha256 prefix of the model folder) that made the score. */
  modelVersion: string | null;
  receivedAt: string;
  scoredAt: string | null;
  /** Patient's name and ID: present only when the server runs with --show-phi. */
  phi?: { patientName: string; patientId: string };
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
