/**
 * An optional mild prevalent deformity of one lumbar body (below the study's exclusion threshold for
 * a fracture, but visible), more likely at low density: wedge (anterior height lost), biconcave
 * (middle height lost) or crush (the whole body a little lower).
 */
import type { DeformityParams } from './params.js';
import { logistic, weightedIndex } from './distributions.js';
import { streamRandom } from './streams.js';

export type DeformityKind = 'wedge' | 'biconcave' | 'crush';

export interface Deformity {
  /** 0..4 for L1..L5. */
  level: number;
  kind: DeformityKind;
  /** Fraction of height lost at the most affected point. */
  heightLoss: number;
}

export function deformityProbability(tscore: number, d: DeformityParams): number {
  return logistic(d.intercept + d.perTScore * tscore);
}

export function drawDeformity(seed: number, index: number, tscore: number, d: DeformityParams): Deformity | null {
  const rng = streamRandom(seed, 'deformity', index);
  const present = rng.uniform() < deformityProbability(tscore, d);
  const level = weightedIndex(rng, d.levelWeights);
  const kindDraw = rng.uniform();
  const heightLoss = d.heightLossMin + (d.heightLossMax - d.heightLossMin) * rng.uniform();
  if (!present) return null;
  const kind: DeformityKind = kindDraw < 0.55 ? 'wedge' : kindDraw < 0.85 ? 'biconcave' : 'crush';
  return { level, kind, heightLoss };
}
