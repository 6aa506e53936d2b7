/**
 * What scoring one radiograph means to the queue, whatever model does it: a small interface that the
 * in-process pool and the queue workers call, and the one function that loads it from a model folder.
 *
 * An outcome is final (stored, never retried) when the input itself decides it: a radiograph that was
 * scored, one whose keypoints were flagged, or one the model cannot read (an InputError). Anything else
 * thrown (out of memory, a crashed engine, a file server that hiccupped) is transient: the caller
 * retries it with backoff, and only after every attempt failed does the image go to the dead-letter list.
 */
import { readModelJson } from '../models/model-json.js';
import { InputError } from '../util/errors.js';

export type ScoreStatus = 'scored' | 'flagged' | 'failed';

export interface ScoreResult {
  status: ScoreStatus;
  /** Log hazard ratio (higher = riskier); null unless scored. */
  risk: number | null;
  /** Survival probability by year ("1", "3", "5"); null unless scored. */
  surv: Record<string, number> | null;
  /** Quality flags that stopped a radiograph from being scored (status flagged). */
  flags: string[];
  /** Why it was not scored (flagged or failed); null when scored. */
  reason: string | null;
}

export interface QueueScorer {
  /** Scores one radiograph given its bytes; `file` names it in messages. Throws for a transient failure. */
  score(file: string, bytes: Uint8Array): Promise<ScoreResult>;
  dispose(): void;
}

/**
 * A module that can load a scorer: the default is this file's own loadScorer; tests and benchmarks may
 * name another module with the same export (a worker thread or process imports it by URL, since a
 * loaded model cannot cross a thread boundary).
 */
export interface ScorerOptions {
  /**
   * Engine threads this scorer may use: the pool runs one scorer per core, so each keeps to its share
   * instead of every one spreading over all cores.
   */
  threads?: number;
}

export interface ScorerModule {
  loadScorer(modelDir: string, options?: ScorerOptions): Promise<QueueScorer>;
  /** Throws (rejects with) an InputError, without loading the weights, when the folder cannot score radiographs. */
  checkModel(modelDir: string): void | Promise<void>;
}

/** The module that holds this file's loadScorer, for callers that take a scorer module by URL. */
export const DEFAULT_SCORER_MODULE = import.meta.url;

/** Model kinds that can score a radiograph on its own, and the module that loads each. */
const RADIOGRAPH_KINDS: Record<string, () => Promise<ScorerModule>> = {
  // Loaded on demand: the engine, the detector and the image model load only when a model needs them.
  deepsurv_image: async () => {
    const { loadImageScorer, checkImageModel } = await import('./image-scorer.js');
    return { loadScorer: loadImageScorer, checkModel: (dir) => void checkImageModel(dir) };
  },
};

/** Loads the scorer for a model folder by its model.json kind; an InputError for a kind that cannot read radiographs. */
export async function loadScorer(modelDir: string, options: ScorerOptions = {}): Promise<QueueScorer> {
  const { kind } = readModelJson(modelDir);
  const load = Object.hasOwn(RADIOGRAPH_KINDS, kind) ? RADIOGRAPH_KINDS[kind] : undefined;
  if (load === undefined) {
    const known = Object.keys(RADIOGRAPH_KINDS);
    throw new InputError(
      `${modelDir}: a "${kind}" model cannot score radiographs (${known.length > 0 ? `expected ${known.join(' or ')}` : 'no image model kind is available in this build'})`,
    );
  }
  return (await load()).loadScorer(modelDir, options);
}

/** Checks, without loading any model, that the folder holds a kind that can score radiographs (so `score --queue` fails fast). */
export async function checkModel(modelDir: string): Promise<void> {
  const { kind } = readModelJson(modelDir);
  const load = Object.hasOwn(RADIOGRAPH_KINDS, kind) ? RADIOGRAPH_KINDS[kind] : undefined;
  if (load === undefined) throw new InputError(`${modelDir}: a "${kind}" model cannot score radiographs`);
  await (await load()).checkModel(modelDir);
}

/** An error thrown for a radiograph whose keypoints or quality checks stopped it (the image model's FlaggedRadiograph has this shape). */
interface FlaggedError extends Error {
  flags: string[];
}

function isFlagged(error: unknown): error is FlaggedError {
  return error instanceof Error && Array.isArray((error as Partial<FlaggedError>).flags);
}

/**
 * Scores one radiograph and turns the final refusals into results: flagged keypoints -> flagged, bad
 * input -> failed with its reason. Transient errors are rethrown for the caller's retry.
 */
export async function scoreOne(scorer: QueueScorer, file: string, bytes: Uint8Array): Promise<ScoreResult> {
  try {
    return await scorer.score(file, bytes);
  } catch (error) {
    if (isFlagged(error)) return { status: 'flagged', risk: null, surv: null, flags: [...error.flags], reason: error.message };
    if (error instanceof InputError) return { status: 'failed', risk: null, surv: null, flags: [], reason: error.message };
    throw error;
  }
}
