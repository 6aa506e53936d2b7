/**
 * Joint decoding of the L1-L5 heatmaps. Decoding each heatmap by its own maximum sometimes puts two
 * centres on one vertebra (one heatmap fires more strongly on a neighbour than on its own vertebra);
 * the chain is then implausible and flagged. Here each heatmap offers its few strongest local maxima
 * (DARK-refined, as codec.ts), and the combination with the largest summed peak height that the
 * plausibility rules accept is taken.
 *
 * The prior is the rules themselves (passed in as `problems`, flags.ts in practice): flat wherever
 * they accept a chain, so it never moves a chain they accept. When the independent decode is already
 * accepted it is returned unchanged (the combination of the maxima has the largest sum of all). It
 * repairs only what `repairable` names (spacing and order); a chain with any other problem (a low
 * peak, an axis far from vertical) is returned as decoded independently, still flagged.
 *
 * Search: exhaustive over the candidates' combinations (at most MAX_CANDIDATES^5 = 3125), with the
 * rules checked only on a combination whose sum beats the best accepted so far. A chain DP would need
 * the prior to be a sum over neighbouring pairs; the spacing rule compares each gap with the median
 * of all four, which is not, so a DP could only approximate it and would return chains the rules
 * then flag (or miss ones they accept). The search runs only on the flagged images (1-3 %).
 */
import { decodeHeatmaps, peakRefiner, type DecodedKeypoints, type HeatmapShape } from './codec.js';

/** Candidate peaks per heatmap: a vertebra's own and its neighbours' responses fit well within 5. */
export const MAX_CANDIDATES = 5;

export interface PeakCandidate {
  /** Sub-pixel position (heatmap coordinates, DARK-refined). */
  x: number;
  y: number;
  /** The heatmap's value at the peak pixel (the evidence summed over the chain). */
  value: number;
}

/**
 * The strongest local maxima of one heatmap (8-neighbourhood; on a plateau the first pixel in
 * row-major order), strongest first, at most `limit`, those below `floor` left out. The first is
 * always the map's global maximum, whatever its height: the pixel decodeHeatmaps takes.
 */
export function peakCandidates(map: Float32Array, shape: HeatmapShape, sigma: number, limit: number, floor: number): PeakCandidate[] {
  const { width, height } = shape;
  let best = 0;
  for (let p = 1; p < map.length; p++) if (map[p]! > map[best]!) best = p;
  const found: { p: number; v: number }[] = [{ p: best, v: map[best]! }];
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const p = j * width + i, v = map[p]!;
      if (p === best || !(v >= floor)) continue;
      let isMax = true;
      for (let dj = -1; dj <= 1 && isMax; dj++) {
        for (let di = -1; di <= 1; di++) {
          const ii = i + di, jj = j + dj;
          if ((di === 0 && dj === 0) || ii < 0 || ii >= width || jj < 0 || jj >= height) continue;
          const q = jj * width + ii;
          // Strictly above the neighbours before it in row-major order, at least the ones after.
          if (q < p ? !(v > map[q]!) : !(v >= map[q]!)) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) found.push({ p, v });
    }
  }
  const rest = found.slice(1).sort((a, b) => b.v - a.v || a.p - b.p);
  const refine = peakRefiner(map, shape, sigma);
  return [found[0]!, ...rest].slice(0, limit).map(({ p, v }) => {
    const [x, y] = refine(p % width, Math.floor(p / width));
    return { x, y, value: v };
  });
}

export interface JointDecodeOptions {
  /** The plausibility rules on a chain (x1, y1, ... in heatmap coordinates): an empty list accepts it. */
  problems: (points: Float64Array, confidence: number[]) => string[];
  /** Which problems a different choice of peaks may repair (spacing and order in practice). */
  repairable: (problem: string) => boolean;
  /** Candidates per heatmap (default MAX_CANDIDATES). */
  candidates?: number;
  /** Peaks below this are not offered: a chain using one would be flagged for its low peak anyway. */
  floor: number;
}

export interface JointDecoded extends DecodedKeypoints {
  /** True when the chain differs from the independent decode. */
  repaired: boolean;
}

const clip01 = (v: number): number => Math.min(1, Math.max(0, v));

export function decodeJointly(
  heatmaps: Float32Array, numJoints: number, shape: HeatmapShape, sigma: number, options: JointDecodeOptions,
): JointDecoded {
  const independent = decodeHeatmaps(heatmaps, numJoints, shape, sigma);
  const found = options.problems(independent.points, independent.confidence);
  if (found.length === 0 || !found.every(options.repairable)) return { ...independent, repaired: false };

  const area = shape.width * shape.height;
  const limit = Math.max(1, Math.min(options.candidates ?? MAX_CANDIDATES, MAX_CANDIDATES));
  const cands = Array.from({ length: numJoints }, (_, k) => peakCandidates(heatmaps.subarray(k * area, (k + 1) * area), shape, sigma, limit, options.floor));
  const pick = new Array<number>(numJoints).fill(0);
  const points = new Float64Array(2 * numJoints);
  const confidence = new Array<number>(numJoints).fill(0);
  let bestSum = -Infinity;
  let best: number[] | null = null;
  // Mixed-radix counter over the combinations; the all-zero one is the independent decode, rejected above.
  for (;;) {
    let k = numJoints - 1;
    while (k >= 0 && pick[k] === cands[k]!.length - 1) pick[k--] = 0;
    if (k < 0) break;
    pick[k]!++;
    let sum = 0;
    for (let j = 0; j < numJoints; j++) sum += cands[j]![pick[j]!]!.value;
    // Strictly larger: on a tie the combination met first (the stronger peaks earlier) stays.
    if (!(sum > bestSum)) continue;
    for (let j = 0; j < numJoints; j++) {
      const c = cands[j]![pick[j]!]!;
      points[2 * j] = c.x;
      points[2 * j + 1] = c.y;
      confidence[j] = clip01(c.value);
    }
    if (options.problems(points, confidence).length === 0) {
      bestSum = sum;
      best = [...pick];
    }
  }
  if (best === null) return { ...independent, repaired: false };
  const chosen = best.map((c, j) => cands[j]![c]!);
  return {
    points: Float64Array.from(chosen.flatMap((c) => [c.x, c.y])),
    // The confidence is the chosen peak's height, not the map's maximum: no higher than before.
    confidence: chosen.map((c) => clip01(c.value)),
    repaired: true,
  };
}
