/**
 * The one scoring core: an image model folder loaded once (the model, and the keypoint detector it
 * carries), then any number of radiographs scored to one ScoreOutcome each. `predict --image`, the
 * queue's scoring threads (`score`, `worker`) and the server's scoring threads (`serve`) all score
 * through it, so that a radiograph gets the same chain, the same refusals and the same words
 * whichever face it came in by:
 *
 *   read -> refuse what is not a lateral lumbar radiograph (quality.ts) -> L1..L5 from the detector
 *   (or the caller's) -> refuse flagged keypoints -> the model's preprocessing -> risk, survival at
 *   1, 3 and 5 years, percentile, warnings (scoreRadiograph), and the Grad-CAM overlay on request.
 *
 * The outcome is final when the input decides it: scored, flagged (the image or its keypoints), or
 * failed (the input cannot be used: unreadable, a clinical value missing). Anything else (the engine,
 * memory) is thrown, for the caller to retry. A flagged outcome keeps the detector's keypoints, so that
 * a viewer can show them for a clinician to correct.
 */
import { readRadiograph, readRadiographBytes, type Radiograph } from '../../imaging/index.js';
import { loadLandmarkModel, type LandmarkModel } from '../../landmarks/model.js';
import { setNumThreads } from '../../torch/index.js';
import { InputError } from '../../util/errors.js';
import { readModelJson } from '../model-json.js';
import { modelVersion } from '../model-version.js';
import type { ClinicalValues } from './clinical.js';
import { keypointModelPath, loadImageModel, parseImageModelJson, type ImageModelJson } from './folder.js';
import type { ImageModel } from './model.js';
import { FlaggedRadiograph, keypointProblems, refuseNotLateralLumbar, scoreRadiograph, type KeypointSet } from './score-radiograph.js';
import type { FailedOutcome, FlaggedOutcome, ScoreOutcome } from './score-outcome.js';

export type { ScoreOutcome, ScoredOutcome, FlaggedOutcome, FailedOutcome } from './score-outcome.js';

export interface ScoreRequest {
  /** Names the radiograph in every message (a path, "instance 1a2b", "command line"); never a patient field. */
  where: string;
  /** The radiograph: already read, its file's bytes, or its path (in that order of preference). */
  image?: Radiograph;
  bytes?: Uint8Array;
  path?: string;
  /** The caller's keypoints; absent or null: the model's detector finds them. */
  keypoints?: KeypointSet | null;
  /** Clinical values by the model's covariate names (none for an image-only model). */
  clinical?: ClinicalValues;
  /** Also write the Grad-CAM overlay PNG here (only when scored). */
  heatmap?: string;
  /** Names the clinical values' source in their messages (default: where). */
  clinicalWhere?: string;
}

export interface LoadOptions {
  /** libtorch intra-op threads for this scorer (a pool of scorers keeps each to its share). */
  threads?: number;
  /** Load the detector the folder carries (default true); false for a caller that always gives keypoints. */
  detector?: boolean;
}

export class RadiographScorer {
  private version: string | null = null;

  private constructor(
    readonly modelDir: string,
    readonly json: ImageModelJson,
    readonly model: ImageModel,
    readonly detector: LandmarkModel | null,
  ) {}

  /**
   * Loads the folder. With `detector` (the default), a folder without a keypoint detector is an
   * InputError naming it: such a model can only score radiographs whose keypoints are given.
   */
  static async load(modelDir: string, options: LoadOptions = {}): Promise<RadiographScorer> {
    const json = parseImageModelJson(modelDir, readModelJson(modelDir).json);
    return RadiographScorer.fromJson(modelDir, json, options);
  }

  /** As load, for a caller that has read and checked model.json already. */
  static async fromJson(modelDir: string, json: ImageModelJson, options: LoadOptions = {}): Promise<RadiographScorer> {
    if (options.threads !== undefined) setNumThreads(options.threads);
    let detector: LandmarkModel | null = null;
    if (options.detector !== false) {
      const folder = keypointModelPath(modelDir, json);
      if (folder === null) {
        throw new InputError(`${modelDir}/model.json: the model has no keypoint detector (fitted without --landmarks); it can only score radiographs whose keypoints are given`);
      }
      detector = await loadLandmarkModel(folder);
    }
    try {
      return new RadiographScorer(modelDir, json, loadImageModel(modelDir, json), detector);
    } catch (error) {
      detector?.dispose();
      throw error;
    }
  }

  /** The model folder's version, computed on first use (it hashes the folder's files). */
  get modelVersion(): string {
    return (this.version ??= modelVersion(this.modelDir));
  }

  /**
   * The image's own checks alone, the first step of score (no detector, no model): null when it may be
   * a lateral lumbar radiograph, else the refusal as score would give it. For an image that cannot be
   * scored yet (serve: one that waits for clinical values) but should be refused at once if blank.
   */
  async checkInput(request: Pick<ScoreRequest, 'where' | 'image' | 'bytes' | 'path'>): Promise<FlaggedOutcome | FailedOutcome | null> {
    try {
      refuseNotLateralLumbar(request.where, await readImage(request));
      return null;
    } catch (error) {
      return this.refusal(error, null);
    }
  }

  /** One radiograph to one outcome; throws only for what is not the input's fault (worth a retry). */
  async score(request: ScoreRequest): Promise<ScoreOutcome> {
    let predicted: number[] | null = null;
    try {
      const image = await readImage(request);
      // The image's own checks come before the detector: a blank or turned image is refused for what
      // it is, never shown with keypoints the detector made up on it.
      refuseNotLateralLumbar(request.where, image);
      let set: KeypointSet;
      if (request.keypoints != null) {
        set = request.keypoints;
      } else {
        if (this.detector === null) throw new InputError(`${request.where}: no keypoints given, and the scorer was loaded without the model's detector`);
        const found = this.detector.predict([image])[0];
        predicted = Array.from(found.keypoints);
        const flags = keypointProblems(found, false, image.rows, image.columns);
        if (flags.length > 0) throw new FlaggedRadiograph(request.where, flags);
        set = { keypoints: predicted, flags: [] };
      }
      const r = await scoreRadiograph(this.model, request.where, set, request.clinical ?? {}, {
        image, where: request.clinicalWhere ?? request.where, heatmap: request.heatmap,
      });
      return {
        status: 'scored', ...this.stamp(predicted), risk: r.risk, surv: r.surv, percentile: r.percentile, keypoints: r.keypoints,
        keypointSource: request.keypoints != null ? 'given' : 'detector', warnings: r.warnings,
      };
    } catch (error) {
      return this.refusal(error, predicted);
    }
  }

  private stamp(predicted: number[] | null): Pick<ScoreOutcome, 'modelVersion' | 'scoredAt' | 'predicted'> {
    return { modelVersion: this.modelVersion, scoredAt: new Date().toISOString(), predicted };
  }

  /** A refusal of the input as its outcome; anything else (the engine, memory) is rethrown. */
  private refusal(error: unknown, predicted: number[] | null): FlaggedOutcome | FailedOutcome {
    if (error instanceof FlaggedRadiograph) return { status: 'flagged', ...this.stamp(predicted), flags: [...error.flags], reason: error.message };
    if (error instanceof InputError) return { status: 'failed', ...this.stamp(predicted), reason: error.message };
    throw error;
  }

  dispose(): void {
    this.model.dispose();
    this.detector?.dispose();
  }
}

/** The request's radiograph: as given, from its bytes, or read from its path. */
async function readImage(request: Pick<ScoreRequest, 'where' | 'image' | 'bytes' | 'path'>): Promise<Radiograph> {
  if (request.image !== undefined) return request.image;
  if (request.bytes !== undefined) return readRadiographBytes(request.where, request.bytes);
  return readRadiograph(request.path ?? request.where);
}
