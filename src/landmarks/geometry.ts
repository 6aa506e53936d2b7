/**
 * Where a radiograph's pixels land in the network input, and back. All coordinates are continuous
 * pixel coordinates in the COCO convention: x to the right, y down, pixel (i, j) covering
 * [i, i+1] x [j, j+1], so the centre of the top-left pixel is (0.5, 0.5). In that convention every map
 * here (letterbox, resize, average pooling, heatmap stride, augmentation) is a plain affine map, and
 * inverting it is exact.
 */

/** A 2x3 affine map [a, b, tx, c, d, ty]: (x, y) -> (a x + b y + tx, c x + d y + ty). */
export type Affine = [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** first, then second. */
export function compose(second: Affine, first: Affine): Affine {
  const [a, b, c, d, e, f] = second;
  const [p, q, r, s, t, u] = first;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

export function invert(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (det === 0 || !Number.isFinite(det)) throw new Error('affine map is not invertible');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * Letterbox: scale the whole image uniformly so that its long side fills `size`, and centre it with
 * zero padding on the short side. Returns the map from original coordinates to input coordinates.
 */
export function letterbox(columns: number, rows: number, size: number): Affine {
  const scale = size / Math.max(columns, rows);
  return [scale, 0, (size - columns * scale) / 2, 0, scale, (size - rows * scale) / 2];
}

/** Heatmap coordinates from input coordinates (the network's output stride). */
export function inputToHeatmap(stride: number): Affine {
  return [1 / stride, 0, 0, 0, 1 / stride, 0];
}

/**
 * Rotation by `degrees` and scaling by `scale` about the centre (cx, cy), then a shift by (dx, dy)
 * and, with `flip`, a mirror about the vertical line x = cx (the labels L1..L5 stay as they are: a
 * mirrored lateral radiograph is a patient facing the other way).
 */
export function augmentation(cx: number, cy: number, degrees: number, scale: number, dx: number, dy: number, flip: boolean): Affine {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t) * scale, sin = Math.sin(t) * scale;
  const f = flip ? -1 : 1;
  // p' = R S F (p - c) + c + d
  const a = cos * f, b = -sin, c = sin * f, d = cos;
  return [a, b, cx + dx - a * cx - b * cy, c, d, cy + dy - c * cx - d * cy];
}

/**
 * The theta of affine_grid / grid_sample (align_corners = false) that fills a dstW x dstH image
 * from a srcW x srcH one, where `dstToSrc` maps destination pixel coordinates to source ones.
 * grid_sample's normalised coordinates are n = 2 x / W - 1 in this pixel convention.
 */
export function samplingTheta(dstToSrc: Affine, srcW: number, srcH: number, dstW: number, dstH: number): Affine {
  const fromNormalisedDst: Affine = [dstW / 2, 0, dstW / 2, 0, dstH / 2, dstH / 2];
  const toNormalisedSrc: Affine = [2 / srcW, 0, -1, 0, 2 / srcH, -1];
  return compose(toNormalisedSrc, compose(dstToSrc, fromNormalisedDst));
}
