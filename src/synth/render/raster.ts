/**
 * The small amount of 2-D machinery the renderer needs: affine maps between millimetre "anatomy"
 * coordinates, each shape's own local frame, and pixel coordinates (the centre of pixel (col, row) is
 * at (col, row)), and a loop that visits the pixels under a shape's local bounding box.
 */

/** x' = a x + b y + c ;  y' = d x + e y + f */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export function rotationAbout(angle: number, scale: number, tx: number, ty: number): Affine {
  const cs = Math.cos(angle) * scale;
  const sn = Math.sin(angle) * scale;
  return { a: cs, b: -sn, c: tx, d: sn, e: cs, f: ty };
}

/** A shape's local frame: origin at (x, y); local u axis along (cos angle, sin angle), v at +90 degrees. */
export function localFrame(x: number, y: number, angle: number): Affine {
  return rotationAbout(angle, 1, x, y);
}

/** outer after inner: p -> outer(inner(p)). */
export function compose(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.d,
    b: outer.a * inner.b + outer.b * inner.e,
    c: outer.a * inner.c + outer.b * inner.f + outer.c,
    d: outer.d * inner.a + outer.e * inner.d,
    e: outer.d * inner.b + outer.e * inner.e,
    f: outer.d * inner.c + outer.e * inner.f + outer.f,
  };
}

export function invert(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (det === 0) throw new Error('invert: singular affine map');
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

export function apply(m: Affine, x: number, y: number): [number, number] {
  return [m.a * x + m.b * y + m.c, m.d * x + m.e * y + m.f];
}

export interface Box {
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

export interface Canvas {
  width: number;
  height: number;
  /** Attenuation-like values, added up by the shapes; row-major. */
  data: Float32Array;
}

export function makeCanvas(width: number, height: number): Canvas {
  return { width, height, data: new Float32Array(width * height) };
}

let reusable: Canvas | null = null;

/**
 * A zeroed canvas, reusing the previous one of the same size: a 1024-pixel image needs 3.4 MB of
 * floats, and allocating one per patient keeps the garbage collector busy. Only for a canvas that is
 * finished with before the next call (rendering is synchronous, one image at a time per thread).
 */
export function scratchCanvas(width: number, height: number): Canvas {
  if (reusable === null || reusable.width !== width || reusable.height !== height) reusable = makeCanvas(width, height);
  else reusable.data.fill(0);
  return reusable;
}

const scratchBuffers = new Map<number, Float32Array>();

/** A reusable float buffer of exactly n values (contents undefined), one per size. */
export function scratchBuffer(n: number): Float32Array {
  let b = scratchBuffers.get(n);
  if (b === undefined) {
    scratchBuffers.clear();
    b = new Float32Array(n);
    scratchBuffers.set(n, b);
  }
  return b;
}

/** Pixel-space bounding rectangle (clipped) of a local box under localToPixel. */
export function pixelBounds(canvas: Canvas, localToPixel: Affine, box: Box): { c0: number; c1: number; r0: number; r1: number } {
  let cMin = Infinity;
  let cMax = -Infinity;
  let rMin = Infinity;
  let rMax = -Infinity;
  for (const [u, v] of [
    [box.u0, box.v0],
    [box.u1, box.v0],
    [box.u0, box.v1],
    [box.u1, box.v1],
  ]) {
    const [c, r] = apply(localToPixel, u, v);
    cMin = Math.min(cMin, c);
    cMax = Math.max(cMax, c);
    rMin = Math.min(rMin, r);
    rMax = Math.max(rMax, r);
  }
  return {
    c0: Math.max(0, Math.floor(cMin)),
    c1: Math.min(canvas.width - 1, Math.ceil(cMax)),
    r0: Math.max(0, Math.floor(rMin)),
    r1: Math.min(canvas.height - 1, Math.ceil(rMax)),
  };
}

/**
 * Adds shade(u, v) to every pixel whose centre maps into the local box. The local coordinates are
 * stepped incrementally along each row (one inverse map per row, not per pixel).
 */
export function rasterize(canvas: Canvas, localToPixel: Affine, box: Box, shade: (u: number, v: number) => number): void {
  const { c0, c1, r0, r1 } = pixelBounds(canvas, localToPixel, box);
  if (c0 > c1 || r0 > r1) return;
  const inv = invert(localToPixel);
  const data = canvas.data;
  const w = canvas.width;
  for (let r = r0; r <= r1; r++) {
    let u = inv.a * c0 + inv.b * r + inv.c;
    let v = inv.d * c0 + inv.e * r + inv.f;
    let idx = r * w + c0;
    for (let c = c0; c <= c1; c++, idx++, u += inv.a, v += inv.d) {
      if (u < box.u0 || u > box.u1 || v < box.v0 || v > box.v1) continue;
      const value = shade(u, v);
      if (value !== 0) data[idx] += value;
    }
  }
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Path length through a solid ellipse, normalised to 1 at its centre: sqrt(1 - r^2) inside, 0 outside. */
export function ellipsoidThickness(u: number, v: number, a: number, b: number): number {
  const q = 1 - (u * u) / (a * a) - (v * v) / (b * b);
  return q > 0 ? Math.sqrt(q) : 0;
}
