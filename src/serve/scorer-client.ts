/**
 * The main thread's side of serve's scoring threads (score-thread.ts): the shared pool
 * (src/scoring/scoring-pool.ts), as many threads as --scoring-threads, each with the scoring core
 * loaded. Jobs wait for a free thread in the order they are given; a thread that dies fails the job it
 * held (a TransientScoreError, never the server) and is replaced.
 */
import type { ClinicalValues } from '../models/image/clinical.js';
import type { FailedOutcome, FlaggedOutcome, ScoreOutcome } from '../models/image/score-outcome.js';
import { ScoringPool } from '../scoring/scoring-pool.js';

export { TransientScoreError } from '../scoring/scoring-pool.js';

export interface ScoreThreadSetup {
  modelDir: string;
}

export interface ScoreJob {
  /** The stored file (read in the thread). */
  file: string;
  /** Names the instance in messages instead of the file path (no UID, no patient field). */
  where: string;
  /** A clinician's keypoints to score with; null runs the detector. */
  keypoints: number[] | null;
  clinical: ClinicalValues;
  /** Also write the Grad-CAM overlay PNG here. */
  heatmap: string | null;
  /** Only read the image and apply the input rules (checkInput): no detector, no model. */
  inputOnly: boolean;
}

/** An image's own checks alone: it may be a lateral lumbar radiograph, or the refusal as scoring gives it. */
export type InputCheck = { status: 'input-ok' } | FlaggedOutcome | FailedOutcome;

export type ThreadResult = ScoreOutcome | InputCheck;

export class ScorerClient {
  private constructor(private readonly pool: ScoringPool<ScoreJob, ThreadResult>) {}

  /** Starts `threads` scoring threads and waits until each has loaded the model. */
  static async start(modelDir: string, threads: number): Promise<ScorerClient> {
    return new ScorerClient(await ScoringPool.start<ScoreJob, ThreadResult, ScoreThreadSetup>({
      thread: new URL('./score-thread.js', import.meta.url), setup: { modelDir }, threads,
    }));
  }

  /** How many radiographs it scores at once. */
  get threads(): number {
    return this.pool.size;
  }

  /** Scores one radiograph on the next free thread. */
  async score(job: Omit<ScoreJob, 'inputOnly'>): Promise<ScoreOutcome> {
    return (await this.pool.run({ ...job, inputOnly: false })).result as ScoreOutcome;
  }

  /**
   * The input rules alone (models/image/quality.ts, what scoring applies first), for an image that
   * cannot be scored yet: read on a scoring thread, in turn with the scoring jobs.
   */
  async checkInput(job: { file: string; where: string }): Promise<InputCheck> {
    return (await this.pool.run({ ...job, keypoints: null, clinical: {}, heatmap: null, inputOnly: true })).result as InputCheck;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
