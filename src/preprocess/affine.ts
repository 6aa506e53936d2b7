/**
 * 2-D affine maps as 2x3 matrices [[a, b, tx], [c, d, ty]]: (x, y) -> (a x + b y + tx, c x + d y + ty).
 * Plain float64 arithmetic, so that mapping a point forward and back is exact to ~1e-12 px.
 */
export type Matrix2x3 = [[number, number, number], [number, number, number]];
export type Point = [number, number];

export function applyAffine(m: Matrix2x3, [x, y]: Point): Point {
  return [m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2]];
}

export function invertAffine(m: Matrix2x3): Matrix2x3 {
  const [[a, b, tx], [c, d, ty]] = m;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-300) throw new RangeError('affine map is not invertible');
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [
    [ia, ib, -(ia * tx + ib * ty)],
    [ic, id, -(ic * tx + id * ty)],
  ];
}

/** The map p -> outer(inner(p)). */
export function composeAffine(outer: Matrix2x3, inner: Matrix2x3): Matrix2x3 {
  const [[a, b, tx], [c, d, ty]] = outer;
  const [[e, f, ux], [g, h, uy]] = inner;
  return [
    [a * e + b * g, a * f + b * h, a * ux + b * uy + tx],
    [c * e + d * g, c * f + d * h, c * ux + d * uy + ty],
  ];
}

/**
 * The rotation + uniform scale + translation that sends `from` to `fromTarget` and turns the
 * direction `axis` (a non-zero vector) to point straight down (+y, the image's row direction), with
 * `scale` output pixels per input pixel. No reflection: the determinant is scale^2 > 0.
 */
export function axisAlignedSimilarity(from: Point, axis: Point, fromTarget: Point, scale: number): Matrix2x3 {
  const len = Math.hypot(axis[0], axis[1]);
  if (!(len > 0)) throw new RangeError('alignment axis has zero length');
  const vx = axis[0] / len;
  const vy = axis[1] / len;
  // R = [[vy, -vx], [vx, vy]] turns (vx, vy) into (0, 1).
  const a = scale * vy;
  const b = -scale * vx;
  const c = scale * vx;
  const d = scale * vy;
  return [
    [a, b, fromTarget[0] - (a * from[0] + b * from[1])],
    [c, d, fromTarget[1] - (c * from[0] + d * from[1])],
  ];
}
