/**
 * The COCO object scale ("area") of a hand-placed L1-L5 annotation, which OKS-AP and the detector's
 * training need and a click cannot give (there is no body mask). On the synthetic cohort the L1-L5
 * body mask area is 0.235 x the squared L1-L5 distance (mean over 300 radiographs, SD 0.009), so the
 * same ratio gives a hand annotation the scale a mask would have. bbox: the points' bounds.
 */
const AREA_PER_SQUARED_LENGTH = 0.235;

/** points: x1, y1, ..., x5, y5 (COCO convention). */
export function objectScale(points: ArrayLike<number>): { area: number; bbox: [number, number, number, number] } {
  const xs = [0, 2, 4, 6, 8].map((i) => points[i]!);
  const ys = [1, 3, 5, 7, 9].map((i) => points[i]!);
  const length = Math.hypot(xs[4]! - xs[0]!, ys[4]! - ys[0]!);
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  return { area: AREA_PER_SQUARED_LENGTH * length * length, bbox: [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0] };
}
