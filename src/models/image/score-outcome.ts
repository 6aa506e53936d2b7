/**
 * One shape for a score: the outcome of scoring one radiograph (radiograph-scorer.ts makes it, for
 * `predict --image`, `score`/`worker` and `serve` alike), and its one flat form, the fields a table
 * row, a JSON result or a list line holds. Every other shape of a score (the server's rows, its
 * worklist line and PACS result, the queue's stored result) is a projection of these, so a field means
 * the same wherever it shows. Plain data and pure functions: the main thread of a server reads these
 * without loading the engine.
 */

interface OutcomeBase {
  /** The model folder's version (model-version.ts): results are keyed by it. */
  modelVersion: string;
  /** ISO 8601, when the outcome was reached. */
  scoredAt: string;
  /** The detector's L1..L5 (x1, y1, ..., x5, y5, COCO pixels) when it ran, flagged or not; null when it did not. */
  predicted: number[] | null;
}

export interface ScoredOutcome extends OutcomeBase {
  status: 'scored';
  /** Log hazard ratio (higher = riskier). */
  risk: number;
  /** Survival without fracture by year ("1", "3", "5"). */
  surv: Record<string, number>;
  /** Percentile of the risk among the model's training patients. */
  percentile: number;
  /** The keypoints the model's input was cut at. */
  keypoints: number[];
  keypointSource: 'detector' | 'given';
  /** Clinical values outside the training ranges, and the like: scored, but worth a look. */
  warnings: string[];
}

export interface FlaggedOutcome extends OutcomeBase {
  status: 'flagged';
  /** Each reason the image or its keypoints cannot be trusted. */
  flags: string[];
  /** The sentence for people: what was flagged, and that it was not scored. */
  reason: string;
}

export interface FailedOutcome extends OutcomeBase {
  status: 'failed';
  reason: string;
}

export type ScoreOutcome = ScoredOutcome | FlaggedOutcome | FailedOutcome;

/** An outcome as flat fields: null (or empty) where its status has none. */
export interface OutcomeFields {
  status: ScoreOutcome['status'];
  risk: number | null;
  surv: Record<string, number> | null;
  percentile: number | null;
  flags: string[];
  warnings: string[];
  /** Why it was not scored (flagged or failed); null when scored. */
  reason: string | null;
  /** The keypoints the model's input was cut at; null unless scored. */
  keypoints: number[] | null;
  predicted: number[] | null;
  modelVersion: string;
  scoredAt: string;
}

export function outcomeFields(outcome: ScoreOutcome): OutcomeFields {
  const scored = outcome.status === 'scored' ? outcome : null;
  return {
    status: outcome.status,
    risk: scored?.risk ?? null,
    surv: scored?.surv ?? null,
    percentile: scored?.percentile ?? null,
    flags: outcome.status === 'flagged' ? outcome.flags : [],
    warnings: scored?.warnings ?? [],
    reason: outcome.status === 'scored' ? null : outcome.reason,
    keypoints: scored?.keypoints ?? null,
    predicted: outcome.predicted,
    modelVersion: outcome.modelVersion,
    scoredAt: outcome.scoredAt,
  };
}

/**
 * The outcome back from its fields (a stored row), with where its keypoints came from as the store
 * keeps it. A row that says scored but lacks a number is damaged: an Error naming `where`, never a
 * score with a hole in it.
 */
export function outcomeFromFields(fields: OutcomeFields, keypointSource: ScoredOutcome['keypointSource'], where: string): ScoreOutcome {
  const base: OutcomeBase = { modelVersion: fields.modelVersion, scoredAt: fields.scoredAt, predicted: fields.predicted };
  if (fields.status === 'flagged') return { status: 'flagged', ...base, flags: fields.flags, reason: fields.reason ?? '' };
  if (fields.status === 'failed') return { status: 'failed', ...base, reason: fields.reason ?? '' };
  const { risk, surv, percentile, keypoints } = fields;
  if (risk === null || surv === null || percentile === null || keypoints === null) {
    const missing = Object.entries({ risk, surv, percentile, keypoints }).filter(([, v]) => v === null).map(([k]) => k);
    throw new Error(`${where}: scored, but without its ${missing.join(', ')}`);
  }
  return { status: 'scored', ...base, risk, surv, percentile, keypoints, keypointSource, warnings: fields.warnings };
}
