/**
 * A ViewerBackend for the viewer's tests until the server core is merged, with nothing faked but the
 * storage: images live in memory, but each is read from its DICOM file with the project's reader and
 * scored for real with scoreRadiograph (the model's keypoint detector, preprocessing, the image model,
 * Grad-CAM), as `spinesurv predict --image` scores it. A correction re-scores with the given points,
 * clinical values re-score with them; a flagged set of keypoints leaves the image flagged, unscored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServedImage, ViewerBackend } from '../../../src/serve/backend.js';
import { readRadiograph, type Radiograph } from '../../../src/imaging/index.js';
import { FlaggedRadiograph, keypointModelPath, loadImageModel, parseImageModelJson, scoreRadiograph, type ImageModel } from '../../../src/models/image/index.js';
import { readModelJson } from '../../../src/models/model-json.js';
import { loadLandmarkModel, type LandmarkModel } from '../../../src/landmarks/index.js';
import { modelVersion } from '../../../src/queue/index.js';
import { InputError } from '../../../src/util/errors.js';

interface Row {
  image: ServedImage;
  file: string;
  heatmap: string;
  hasHeatmap: boolean;
}

export class TestBackend implements ViewerBackend {
  /** Mutable here so one test can look with and without --show-phi. */
  showPhi = false;
  /** How often each change reached the backend (a refused request must not). */
  readonly calls = { correctKeypoints: 0, setClinical: 0 };
  private readonly rows = new Map<string, Row>();
  private readonly version: string;

  private constructor(readonly model: ImageModel, readonly detector: LandmarkModel, private readonly heatmapDir: string, modelDir: string) {
    this.version = modelVersion(modelDir);
  }

  static async open(modelDir: string, heatmapDir: string): Promise<TestBackend> {
    const json = parseImageModelJson(modelDir, readModelJson(modelDir).json);
    const detectorDir = keypointModelPath(modelDir, json);
    if (detectorDir === null) throw new Error('test model has no keypoint detector');
    return new TestBackend(loadImageModel(modelDir, json), await loadLandmarkModel(detectorDir), heatmapDir, modelDir);
  }

  dispose(): void {
    this.model.dispose();
    this.detector.dispose();
  }

  /** As the DICOM node would: a received file with the clinical values known for it. */
  /** With `defer`, it stays 'received' until scorePending (as when the scoring loop is behind). */
  async receive(file: string, clinical: Record<string, string | number>, receivedAt: string, defer = false): Promise<ServedImage> {
    const r = await readRadiograph(file, { phi: true });
    const phi = r.phi ?? {};
    const uid = phi.SOPInstanceUID;
    const image: ServedImage = {
      sopInstanceUid: uid,
      studyInstanceUid: phi.StudyInstanceUID,
      seriesInstanceUid: phi.SeriesInstanceUID,
      status: 'received',
      risk: null, surv: null, percentile: null, flags: [], warnings: [], reason: null,
      predictedKeypoints: Array.from(this.detector.predict([r])[0].keypoints),
      correctedKeypoints: null, changes: [],
      clinical: { ...clinical },
      missingClinical: [],
      modelVersion: null,
      receivedAt,
      scoredAt: null,
      phi: { patientName: phi.PatientName ?? '', patientId: phi.PatientID ?? '' },
    };
    const row: Row = { image, file, heatmap: join(this.heatmapDir, `${this.rows.size}.png`), hasHeatmap: false };
    this.rows.set(uid, row);
    if (!defer) await this.score(row, r);
    return this.copy(row.image);
  }

  async scorePending(uid: string): Promise<void> {
    await this.score(this.rows.get(uid)!);
  }

  private async score(row: Row, radiograph?: Radiograph): Promise<void> {
    const image = row.image;
    image.missingClinical = this.model.covariates.filter((c) => image.clinical[c] === undefined);
    image.risk = image.surv = image.percentile = null;
    image.flags = [];
    image.reason = null;
    row.hasHeatmap = false;
    if (image.missingClinical.length > 0) {
      image.status = 'received';
      return;
    }
    const keypoints = image.correctedKeypoints !== null ? { keypoints: image.correctedKeypoints.keypoints, flags: [] } : this.detector;
    try {
      const s = await scoreRadiograph(this.model, row.file, keypoints, image.clinical, { heatmap: row.heatmap, image: radiograph });
      Object.assign(image, { status: 'scored', risk: s.risk, surv: s.surv, percentile: s.percentile, modelVersion: this.version, scoredAt: new Date().toISOString() });
      row.hasHeatmap = true;
    } catch (error) {
      if (error instanceof FlaggedRadiograph) Object.assign(image, { status: 'flagged', flags: error.flags });
      else if (error instanceof InputError) Object.assign(image, { status: 'failed', reason: error.message });
      else throw error;
    }
  }

  private copy(image: ServedImage): ServedImage {
    return structuredClone(image);
  }

  async list(): Promise<ServedImage[]> {
    return [...this.rows.values()].map((r) => this.copy(r.image));
  }

  async get(uid: string): Promise<ServedImage | undefined> {
    const row = this.rows.get(uid);
    return row === undefined ? undefined : this.copy(row.image);
  }

  async radiograph(uid: string): Promise<Radiograph | undefined> {
    const row = this.rows.get(uid);
    return row === undefined ? undefined : readRadiograph(row.file);
  }

  async heatmapPng(uid: string): Promise<Uint8Array | undefined> {
    const row = this.rows.get(uid);
    return row === undefined || !row.hasHeatmap ? undefined : readFileSync(row.heatmap);
  }

  async correctKeypoints(uid: string, keypoints: number[], by: string): Promise<ServedImage> {
    this.calls.correctKeypoints++;
    const row = this.rows.get(uid);
    if (row === undefined) throw new InputError(`no image ${uid}`);
    row.image.correctedKeypoints = { keypoints: [...keypoints], by, at: new Date().toISOString() };
    await this.score(row);
    return this.copy(row.image);
  }

  async setClinical(uid: string, values: Record<string, string | number>, _by: string): Promise<ServedImage> {
    this.calls.setClinical++;
    const row = this.rows.get(uid);
    if (row === undefined) throw new InputError(`no image ${uid}`);
    // The model's own parsing decides whether a value is acceptable (sex F or M, a number for age).
    const { clinicalValue } = await import('../../../src/models/image/clinical.js');
    for (const [k, v] of Object.entries(values)) clinicalValue(k, v, `clinical value "${k}"`);
    Object.assign(row.image.clinical, values);
    await this.score(row);
    return this.copy(row.image);
  }
}
