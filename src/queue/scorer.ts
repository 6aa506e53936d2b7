/**
 * The queue's scorer (queue-scorer.ts) loaded from a model folder by its kind, and scoreOne, which
 * turns the input's refusals into results.
 *
 * An outcome is final (stored, never retried) when the input itself decides it: a radiograph that was
 * scored, one whose keypoints were flagged, or one the model cannot read (an InputError). Anything else
 * thrown (out of memory, a crashed engine, a file server that hiccupped) is transient: the caller
 * retries it with backoff, and only after every attempt failed does the image go to the dead-letter list.
 */
import { readModelJson } from '../models/model-json.js';
import { InputError } from '../util/errors.js';
import type { QueueScorer, ScoreResult, ScorerModule, ScorerOptions } from './queue-scorer.js';

export type { ScoreStatus, ScoreResult, QueueScorer, ScorerOptions, ScorerModule } from './queue-scorer.js';

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
    if (error instanceof InputError) return failedResult(error.message);
    throw error;
  }
}

/** A failed result: final for the input's sake (unreadable, changed, refused), or after every attempt failed (then stored as retryable). */
export function failedResult(reason: string): ScoreResult {
  return { status: 'failed', risk: null, surv: null, flags: [], reason };
}
