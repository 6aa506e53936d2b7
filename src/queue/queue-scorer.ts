/**
 * What scoring one radiograph means to the queue, whatever model does it: the result it stores, and
 * the small interface that the in-process pool and the queue workers call (scorer.ts loads one by the
 * model folder's kind; image-scorer.ts is the built-in one, over the image models' scoring core).
 */
import { outcomeFields, type OutcomeFields, type ScoreOutcome } from '../models/image/score-outcome.js';

export type ScoreStatus = OutcomeFields['status'];

/**
 * What the queue keeps of an outcome (the scoring core's flat fields, models/image/score-outcome.ts):
 * status, risk, survival, flags and reason, the columns of results.csv (CLI.md). A model of another
 * kind gives the same fields.
 */
export type ScoreResult = Pick<OutcomeFields, 'status' | 'risk' | 'surv' | 'flags' | 'reason'>;

export function scoreResultOf(outcome: ScoreOutcome): ScoreResult {
  const { status, risk, surv, flags, reason } = outcomeFields(outcome);
  return { status, risk, surv, flags, reason };
}

export interface QueueScorer {
  /** Scores one radiograph given its bytes; `file` names it in messages. Throws for a transient failure. */
  score(file: string, bytes: Uint8Array): Promise<ScoreResult>;
  dispose(): void;
}

export interface ScorerOptions {
  /**
   * Engine threads this scorer may use: the pool runs one scorer per core, so each keeps to its share
   * instead of every one spreading over all cores.
   */
  threads?: number;
}

/**
 * A module that can load a scorer: the default is scorer.ts's loadScorer; tests and benchmarks may
 * name another module with the same export (a worker thread or process imports it by URL, since a
 * loaded model cannot cross a thread boundary).
 */
export interface ScorerModule {
  loadScorer(modelDir: string, options?: ScorerOptions): Promise<QueueScorer>;
  /** Throws (rejects with) an InputError, without loading the weights, when the folder cannot score radiographs. */
  checkModel(modelDir: string): void | Promise<void>;
}

