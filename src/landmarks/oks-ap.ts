/**
 * OKS-based average precision exactly as pycocotools' COCOeval computes it for iouType 'keypoints'
 * (one category, area range 'all', maxDets 20): OKS per detection and ground truth, greedy matching in
 * score order at each threshold 0.50:0.05:0.95, precision made monotone, sampled at 101 recall points,
 * averaged. Separate from the network so that it can score any detector's results.
 */

export interface GroundTruth {
  imageId: number;
  /** x1, y1, v1, ... (COCO). */
  keypoints: ArrayLike<number>;
  /** The object's area, OKS's scale s^2. */
  area: number;
  iscrowd?: boolean;
}

export interface Detection {
  imageId: number;
  /** x1, y1, v1, ... or x1, y1, ... (only x and y are read; stride given by `stride`). */
  keypoints: ArrayLike<number>;
  score: number;
}

export interface OksApResult {
  ap: number;
  ap50: number;
  ap75: number;
  /** AP at each OKS threshold (0.50, 0.55, ..., 0.95). */
  apByThreshold: number[];
}

const MAX_DETS = 20;
const EPS = 2.220446049250313e-16; // np.spacing(1)

/** numpy.linspace(start, stop, num): start + i * step, the last value set to stop. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

export const OKS_THRESHOLDS = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
const RECALL_THRESHOLDS = linspace(0, 1, Math.round(1 / 0.01) + 1);

/** COCOeval.computeOks for one pair (gt keypoints with visibility; detections read at stride 3). */
export function oks(gt: GroundTruth, dt: ArrayLike<number>, sigmas: number[], dtStride = 3): number {
  const k = sigmas.length;
  let visible = 0;
  for (let j = 0; j < k; j++) if (gt.keypoints[3 * j + 2]! > 0) visible++;
  if (visible === 0) {
    throw new Error('OKS with no visible ground-truth keypoint is not used here (every L1-L5 keypoint is labelled)');
  }
  let sum = 0;
  for (let j = 0; j < k; j++) {
    if (!(gt.keypoints[3 * j + 2]! > 0)) continue;
    const dx = dt[dtStride * j]! - gt.keypoints[3 * j]!;
    const dy = dt[dtStride * j + 1]! - gt.keypoints[3 * j + 1]!;
    const variance = (2 * sigmas[j]!) ** 2;
    const e = (dx * dx + dy * dy) / variance / (gt.area + EPS) / 2;
    sum += Math.exp(-e);
  }
  return sum / visible;
}

interface ImageEval {
  /** Per threshold, per detection (score order): matched, ignored. */
  matched: boolean[][];
  ignored: boolean[][];
  scores: number[];
  groundTruths: number;
}

function evaluateImage(gts: GroundTruth[], dts: Detection[], sigmas: number[], dtStride: number): ImageEval {
  const isIgnored = (g: GroundTruth): boolean => g.iscrowd === true || g.area < 0 || g.area > 1e10 || countVisible(g) === 0;
  // pycocotools sorts ground truths with the ignored ones last (stable) and detections by score (mergesort).
  const order = gts.map((g, i) => ({ g, i, ig: isIgnored(g) })).sort((a, b) => Number(a.ig) - Number(b.ig) || a.i - b.i);
  const gtSorted = order.map((o) => o.g);
  const gtIg = order.map((o) => o.ig);
  const dtSorted = dts.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i).slice(0, MAX_DETS).map((o) => o.d);
  const ious = dtSorted.map((d) => gtSorted.map((g) => oks(g, d.keypoints, sigmas, dtStride)));
  const matched: boolean[][] = [];
  const ignored: boolean[][] = [];
  for (const t of OKS_THRESHOLDS) {
    const gtMatched = gtSorted.map(() => false);
    const m: boolean[] = [];
    const ig: boolean[] = [];
    dtSorted.forEach((_, di) => {
      let iou = Math.min(t, 1 - 1e-10);
      let best = -1;
      for (let gi = 0; gi < gtSorted.length; gi++) {
        if (gtMatched[gi] && gtSorted[gi]!.iscrowd !== true) continue;
        if (best > -1 && !gtIg[best] && gtIg[gi]) break;
        if (ious[di]![gi]! < iou) continue;
        iou = ious[di]![gi]!;
        best = gi;
      }
      if (best === -1) {
        m.push(false);
        ig.push(false); // a detection's own area is always inside 'all'
        return;
      }
      gtMatched[best] = true;
      m.push(true);
      ig.push(gtIg[best]!);
    });
    matched.push(m);
    ignored.push(ig);
  }
  return { matched, ignored, scores: dtSorted.map((d) => d.score), groundTruths: gtIg.filter((x) => !x).length };
}

function countVisible(g: GroundTruth): number {
  let n = 0;
  for (let j = 2; j < g.keypoints.length; j += 3) if (g.keypoints[j]! > 0) n++;
  return n;
}

/**
 * AP over every image that has a ground truth or a detection. `sigmas` are the per-keypoint OKS
 * constants; `dtStride` is 3 for COCO results (x, y, v) or 2 for plain (x, y) pairs.
 */
export function oksAp(truth: GroundTruth[], detections: Detection[], sigmas: number[], dtStride = 3): OksApResult {
  const imageIds = [...new Set([...truth.map((g) => g.imageId), ...detections.map((d) => d.imageId)])].sort((a, b) => a - b);
  const gtBy = new Map<number, GroundTruth[]>();
  const dtBy = new Map<number, Detection[]>();
  for (const g of truth) (gtBy.get(g.imageId) ?? gtBy.set(g.imageId, []).get(g.imageId)!).push(g);
  for (const d of detections) (dtBy.get(d.imageId) ?? dtBy.set(d.imageId, []).get(d.imageId)!).push(d);
  const evals = imageIds.map((id) => evaluateImage(gtBy.get(id) ?? [], dtBy.get(id) ?? [], sigmas, dtStride));
  const npig = evals.reduce((n, e) => n + e.groundTruths, 0);
  // Concatenate in image order, then a stable sort by descending score (np.argsort(-s, 'mergesort')).
  const all: { score: number; e: ImageEval; k: number }[] = [];
  for (const e of evals) e.scores.forEach((score, k) => all.push({ score, e, k }));
  const order = all.map((a, i) => ({ a, i })).sort((p, q) => q.a.score - p.a.score || p.i - q.i).map((o) => o.a);
  const apByThreshold = OKS_THRESHOLDS.map((_, t) => {
    if (npig === 0) return -1;
    let tp = 0, fp = 0;
    const rc: number[] = [], pr: number[] = [];
    for (const { e, k } of order) {
      if (e.ignored[t]![k]) continue;
      if (e.matched[t]![k]) tp++;
      else fp++;
      rc.push(tp / npig);
      pr.push(tp / (fp + tp + EPS));
    }
    for (let i = pr.length - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
    let sum = 0;
    let p = 0;
    for (const r of RECALL_THRESHOLDS) {
      while (p < rc.length && rc[p]! < r) p++; // searchsorted(rc, r, side='left')
      if (p >= rc.length) break; // pycocotools leaves the remaining precisions at 0
      sum += pr[p]!;
    }
    return sum / RECALL_THRESHOLDS.length;
  });
  const valid = apByThreshold.filter((a) => a > -1);
  const ap = valid.length === 0 ? -1 : valid.reduce((s, a) => s + a, 0) / valid.length;
  return { ap, ap50: apByThreshold[0]!, ap75: apByThreshold[5]!, apByThreshold };
}
