/**
 * The detector in the loop: proposals for the worklist from a detector, and retraining in the
 * background after the first N accepted radiographs and then after every M more. Each round is a
 * child process (detector-round.ts) at the lowest CPU priority; one round at a time. A round that
 * fails is logged and shown on the page; annotation goes on without proposals from it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readKeypoints } from '../../keypoints/index.js';
import type { DetectorRoundJob, DetectorRoundSummary } from './detector-round.js';
import type { AnnotateItem } from './worklist-items.js';

export interface Proposal {
  /** x1, y1, ..., x5, y5 (COCO convention). */
  keypoints: number[];
  score: number;
  flags: string[];
}

export interface DetectorStatus {
  state: 'off' | 'waiting' | 'predicting' | 'training' | 'ready' | 'failed';
  message: string | null;
  /** Rounds finished (0: proposals, if any, come from --detector as given). */
  rounds: number;
  images_learnt: number | null;
  held_out: { images: number; ap: number; mre_mm: number } | null;
  /** Retraining starts when this many radiographs are accepted (null: no retraining). */
  next_retrain_at: number | null;
}

export interface DetectorLoopOptions {
  items: AnnotateItem[];
  cohortDir: string;
  keypointsPath: string;
  /** A model folder to start from (--detector), or null. */
  model: string | null;
  workDir: string;
  /** Retrain after this many accepted (0: never). */
  first: number;
  every: number;
  epochs: number | null;
  inputSize: number | null;
  seed: number;
  log: (line: string) => void;
}

export class DetectorLoop {
  private proposals = new Map<number, Proposal>();
  private model: string | null;
  private running = false;
  private status_: DetectorStatus;
  private round = 0;

  constructor(private readonly o: DetectorLoopOptions) {
    this.model = o.model;
    this.status_ = {
      state: o.model === null && o.first === 0 ? 'off' : o.model === null ? 'waiting' : 'predicting',
      message: null, rounds: 0, images_learnt: null, held_out: null, next_retrain_at: o.first > 0 ? o.first : null,
    };
    mkdirSync(o.workDir, { recursive: true });
    this.resumeLastRound();
  }

  /**
   * After a restart (or kill -9), carry on from the last finished round in workDir: its model, its
   * proposals and its held-out figures, rather than the --detector given at the start.
   */
  private resumeLastRound(): void {
    const rounds = readdirSync(this.o.workDir).map((n) => /^round-(\d+)$/.exec(n)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
    this.round = rounds.at(-1) ?? 0;
    for (const n of rounds.reverse()) {
      const summaryPath = join(this.o.workDir, `round-${n}`, 'summary.json');
      if (!existsSync(summaryPath)) continue;
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as DetectorRoundSummary;
      if (summary.images_learnt === null) continue; // proposals of the starting detector only
      this.model = summary.model;
      this.readProposals(summary.proposals);
      Object.assign(this.status_, { state: 'ready', images_learnt: summary.images_learnt, held_out: summary.held_out, rounds: n });
      return;
    }
  }

  /** Proposals from the detector as given (--detector), in the background. */
  start(): void {
    if (this.model !== null && this.proposals.size === 0) this.run(null);
  }

  status(): DetectorStatus {
    return { ...this.status_ };
  }

  proposal(index: number): Proposal | undefined {
    return this.proposals.get(index);
  }

  /** Least confident first: a flagged proposal before any other, then by 1 - score. */
  uncertainty(index: number): number | null {
    const p = this.proposals.get(index);
    return p === undefined ? null : (p.flags.length > 0 ? 1 : 0) + (1 - p.score);
  }

  /** Called after each accepted radiograph with the keypoints file's image ids of every accepted one. */
  accepted(imageIds: number[]): void {
    const at = this.status_.next_retrain_at;
    if (at === null || imageIds.length < at || this.running) return;
    this.status_.next_retrain_at = imageIds.length + this.o.every;
    // Radiographs whose image id is a multiple of 10 are held out to judge the model, never learnt
    // from: by id, so that one held out stays held out in every later round (annotate numbers new
    // images in the order they are done, so this is every tenth).
    const heldOut = imageIds.filter((id) => id % 10 === 0);
    const learn = imageIds.filter((id) => id % 10 !== 0);
    this.run({ imageIds: learn, heldOutIds: heldOut, epochs: this.o.epochs, inputSize: this.o.inputSize, seed: this.o.seed });
  }

  private run(train: DetectorRoundJob['train']): void {
    this.running = true;
    const out = join(this.o.workDir, `round-${++this.round}`);
    mkdirSync(out, { recursive: true });
    const job: DetectorRoundJob = { cohortDir: this.o.cohortDir, keypointsPath: this.o.keypointsPath, out, model: this.model, train, predict: this.o.items.map((i) => i.path) };
    const jobPath = join(out, 'job.json');
    writeFileSync(jobPath, JSON.stringify(job));
    this.status_.state = train === null ? 'predicting' : 'training';
    this.status_.message = train === null ? null : `learning from ${train.imageIds.length} radiographs`;
    const script = fileURLToPath(new URL('./detector-round.js', import.meta.url));
    const child = spawn(process.execPath, [script, jobPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      if (child.pid !== undefined) setPriority(child.pid, 19);
    } catch {
      // Not permitted here: it runs at our priority.
    }
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on('close', (code) => {
      this.running = false;
      const summaryPath = join(out, 'summary.json');
      if (code !== 0 || !existsSync(summaryPath)) {
        // The child's messages may name image files (which can carry a patient id): they go to a
        // file in the round's folder, not to the log or the page.
        writeFileSync(join(out, 'stderr.log'), err);
        this.status_.state = 'failed';
        this.status_.message = `detector round ${this.round} failed (exit ${code}); its messages are in ${join(out, 'stderr.log')}`;
        this.o.log(`annotate: ${this.status_.message}`);
        return;
      }
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as DetectorRoundSummary;
      this.model = summary.model;
      this.readProposals(summary.proposals);
      this.status_ = {
        ...this.status_, state: 'ready', message: null, rounds: this.status_.rounds + (train === null ? 0 : 1),
        images_learnt: summary.images_learnt ?? this.status_.images_learnt, held_out: summary.held_out ?? this.status_.held_out,
      };
      this.o.log(`annotate: detector round ${this.round} done${summary.held_out === null ? '' : `: learnt from ${summary.images_learnt}, held-out AP ${summary.held_out.ap.toFixed(3)}, MRE ${summary.held_out.mre_mm.toFixed(2)} mm`}`);
    });
  }

  private readProposals(path: string): void {
    const next = new Map<number, Proposal>();
    for (const e of readKeypoints(path).entries) {
      if (e.keypoints === null) continue;
      next.set(e.imageId - 1, { keypoints: [...e.keypoints], score: e.score ?? 0, flags: e.flags });
    }
    this.proposals = next;
  }
}
