/**
 * Scoring in the background: takes the instances marked pending in the database (new arrivals, a
 * clinician's correction, new clinical values), oldest first, and scores them on the scoring threads,
 * one instance per free thread.
 * Before scoring, the scores table is asked whether these exact inputs (model version, keypoints
 * source, clinical values) were scored already: then that score is reused, so an instance is never
 * scored twice for the same inputs, across restarts too. Those who changed an instance (the viewer's
 * correctKeypoints / setClinical) wait here until their revision has been scored.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mergeClinical, missingCovariates, type Clinical } from './clinical-values.js';
import type { FailedOutcome, FlaggedOutcome, ScoreOutcome } from '../models/image/score-outcome.js';
import { TransientScoreError, type ScorerClient } from './scorer-client.js';
import type { InstanceRow, ScoreKey, ServeDb } from './serve-db.js';
import { uidTag } from './uid.js';

export interface ScoringLoopOptions {
  db: ServeDb;
  scorer: ScorerClient;
  imagesDir: string;
  covariates: string[];
  modelVersion: string;
  log: (line: string) => void;
  /** Called after an instance's result changed (forwarding picks it up). */
  scored?: (uid: string, status: string) => void;
}

/** What a score is keyed by besides the instance and the model. */
export function keypointsSourceOf(row: InstanceRow): { source: string; keypoints: number[] | null } {
  if (row.corrected_keypoints === null) return { source: 'detector', keypoints: null };
  const keypoints = JSON.parse(row.corrected_keypoints) as number[];
  return { source: `corrected:${createHash('sha256').update(JSON.stringify(keypoints)).digest('hex').slice(0, 16)}`, keypoints };
}

export function effectiveClinical(row: InstanceRow): Clinical {
  return mergeClinical(JSON.parse(row.clinical) as Clinical, {}, JSON.parse(row.set_clinical) as Clinical);
}

function clinicalKeyOf(covariates: string[], clinical: Clinical): string {
  if (covariates.length === 0) return '-';
  return createHash('sha256').update(JSON.stringify(covariates.map((c) => String(clinical[c]).trim()))).digest('hex').slice(0, 16);
}

export class ScoringLoop {
  private wakeUp: (() => void) | null = null;
  /** Set by wake() so that a wake between a look and the wait for the next is not lost. */
  private woken = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  /** The instances being scored now, by SOP Instance UID: at most one scoring of an instance at a time. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Array<{ revision: number; resolve: () => void }>>();

  constructor(private readonly o: ScoringLoopOptions) {}

  start(): void {
    this.running = this.loop();
  }

  /** Something new is pending, or a scoring thread came free: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Resolves once the instance has been scored (or found waiting for clinical values) at `revision` or later. */
  waitFor(uid: string, revision: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const list = this.waiters.get(uid) ?? [];
      list.push({ revision, resolve });
      this.waiters.set(uid, list);
      this.wake();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  /**
   * Keeps every scoring thread busy with pending instances. An instance is never scored on two threads
   * at once: a change that arrives while it is being scored leaves it pending, and it is taken again
   * once that scoring is recorded, so its results are recorded in the order of its changes.
   */
  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const started = this.startPending(await this.readPending());
      if (started === 0 && !this.woken) await this.sleep(2000);
    }
    await Promise.all(this.inFlight.values());
  }

  /**
   * As many pending instances as there are free scoring threads (none being scored already): a
   * clinician's change first, so that it waits behind at most one job per thread.
   */
  private async readPending(): Promise<InstanceRow[]> {
    const free = this.o.scorer.threads - this.inFlight.size;
    if (free <= 0) return [];
    try {
      // Those in flight are still marked pending: read past them.
      const rows = await this.o.db.pending(this.inFlight.size + free);
      return rows.filter((r) => !this.inFlight.has(r.sop_instance_uid)).slice(0, free);
    } catch (error) {
      this.o.log(`score: cannot read the database (${(error as Error).message}); trying again`);
      return [];
    }
  }

  private startPending(rows: InstanceRow[]): number {
    for (const row of rows) {
      const uid = row.sop_instance_uid;
      this.inFlight.set(uid, this.settle(row).finally(() => {
        this.inFlight.delete(uid);
        this.wake();
      }));
    }
    return rows.length;
  }

  /** Scores one instance and tells whoever waits for it; a database failure leaves it pending for a later look. */
  private async settle(row: InstanceRow): Promise<void> {
    try {
      await this.scoreRow(row);
      this.resolveWaiters(row.sop_instance_uid, row.revision);
    } catch (error) {
      this.o.log(`score: instance ${uidTag(row.sop_instance_uid)}: ${(error as Error).message}; will try again`);
      // Still in flight while it waits: the database is not asked about it again at once.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Until wake() or the poll interval: an arrival on another path (a restart's recovery) is found by the poll. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => (this.wakeUp = null));
  }

  private resolveWaiters(uid: string, revision: number): void {
    const list = this.waiters.get(uid);
    if (list === undefined) return;
    const left = list.filter((w) => {
      if (w.revision > revision) return true;
      w.resolve();
      return false;
    });
    if (left.length > 0) this.waiters.set(uid, left);
    else this.waiters.delete(uid);
  }

  /**
   * One pending instance to its recorded result: waiting for clinical values, its score (made now, or
   * reused when these exact inputs were scored before), or a failure to try again.
   */
  private async scoreRow(row: InstanceRow): Promise<void> {
    const clinical = effectiveClinical(row);
    const missing = missingCovariates(this.o.covariates, clinical);
    let refusal: FlaggedOutcome | FailedOutcome | undefined;
    if (missing.length > 0) {
      // The image's own checks need no clinical values: a blank, noisy or turned image is refused when
      // it arrives, not after someone has typed in an age for it.
      const check = await this.attempt(row, () => this.o.scorer.checkInput({ file: join(this.o.imagesDir, row.file), where: whereOf(row) }));
      if (check === null) return;
      if (check.status === 'input-ok') return this.markWaiting(row, missing);
      refusal = check;
    }
    const key = this.scoreKey(row, clinical);
    // Scored with exactly these inputs before (a correction moved back, or a restart): reuse it.
    const outcome = (await this.o.db.findScore(row.sop_instance_uid, key)) ?? refusal ?? (await this.attempt(row, () => this.o.scorer.score({
      file: join(this.o.imagesDir, row.file), where: whereOf(row), keypoints: key.keypoints, clinical: this.modelClinical(clinical), heatmap: null,
    })));
    if (outcome !== null) await this.record(row, key, outcome);
  }

  /** What the score is kept under: the model, the keypoints source, the clinical values the model reads. */
  private scoreKey(row: InstanceRow, clinical: Clinical): ScoreKey {
    const { source, keypoints } = keypointsSourceOf(row);
    return { modelVersion: this.o.modelVersion, keypointsSource: source, keypoints, clinicalKey: clinicalKeyOf(this.o.covariates, clinical) };
  }

  private modelClinical(clinical: Clinical): Clinical {
    const values: Clinical = {};
    for (const c of this.o.covariates) values[c] = clinical[c];
    return values;
  }

  /**
   * Runs work on a scoring thread; when it breaks for a reason not the image's (the engine, the
   * thread), the failure becomes the instance's result, to be tried again, and the answer is null.
   */
  private async attempt<T>(row: InstanceRow, work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof TransientScoreError)) throw error;
      const failure: FailedOutcome = {
        status: 'failed', reason: `scoring failed: ${error.message}`, modelVersion: this.o.modelVersion, scoredAt: new Date().toISOString(), predicted: null,
      };
      await this.o.db.markFailed(row.sop_instance_uid, row.revision, failure);
      this.o.log(`score: instance ${uidTag(row.sop_instance_uid)} failed: ${error.message}`);
      return null;
    }
  }

  private async markWaiting(row: InstanceRow, missing: string[]): Promise<void> {
    await this.o.db.markWaiting(row.sop_instance_uid, row.revision, missing, `waiting for clinical values: ${missing.join(', ')} (give them on the web page or in --clinical)`);
    this.o.log(`score: instance ${uidTag(row.sop_instance_uid)} waits for clinical values (${missing.join(', ')})`);
  }

  private async record(row: InstanceRow, key: ScoreKey, outcome: ScoreOutcome): Promise<void> {
    const uid = row.sop_instance_uid;
    await this.o.db.recordScore(uid, row.revision, key, outcome);
    const risk = outcome.status === 'scored' ? ` (risk ${outcome.risk.toFixed(3)})` : '';
    this.o.log(`score: instance ${uidTag(uid)} ${outcome.status}${risk}${key.keypoints === null ? '' : ' with corrected keypoints'}`);
    this.o.scored?.(uid, outcome.status);
  }
}

/** Names the instance in the scorer's messages (they reach /api/results): its tag, never the store's path or its UID. */
function whereOf(row: InstanceRow): string {
  return `instance ${uidTag(row.sop_instance_uid)}`;
}
