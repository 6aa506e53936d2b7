/**
 * Trabecular bone texture. A small bank of tileable fields is made once per cohort (seeded): white
 * noise smoothed along one axis gives "vertical" struts (long along the spine's axis) and "horizontal"
 * plates. A vertebra mixes them by its density: osteoporotic bone loses the horizontal trabeculae
 * first, leaving coarse vertical striation with more contrast against a darker background. Fields are
 * in millimetres, so the texture scales with the image's pixel spacing; they are pre-smoothed to that
 * spacing so a small image does not alias.
 */
import type { Random } from '../../util/random.js';

export const TEXEL_MM = 0.25;
const TILE = 192;

export interface TextureBank {
  size: number;
  texelMm: number;
  /** Each tile: vertical-strut field and horizontal-plate field, zero mean, unit SD. */
  vertical: Float32Array[];
  horizontal: Float32Array[];
  /** Isotropic mottle for fecal matter in bowel gas. */
  mottle: Float32Array[];
}

/** Circular (wrap-around) box blur along x and y with the given radii, applied `passes` times. */
function wrapBlur(src: Float32Array, size: number, rx: number, ry: number, passes: number): Float32Array {
  let a: Float32Array = src;
  let b: Float32Array = new Float32Array(size * size);
  for (let p = 0; p < passes; p++) {
    if (rx > 0) {
      for (let y = 0; y < size; y++) {
        const row = y * size;
        let sum = 0;
        for (let k = -rx; k <= rx; k++) sum += a[row + ((k + size) % size)];
        for (let x = 0; x < size; x++) {
          b[row + x] = sum / (2 * rx + 1);
          sum += a[row + ((x + rx + 1) % size)] - a[row + ((x - rx + size) % size)];
        }
      }
      [a, b] = [b, a];
    }
    if (ry > 0) {
      for (let x = 0; x < size; x++) {
        let sum = 0;
        for (let k = -ry; k <= ry; k++) sum += a[((k + size) % size) * size + x];
        for (let y = 0; y < size; y++) {
          b[y * size + x] = sum / (2 * ry + 1);
          sum += a[((y + ry + 1) % size) * size + x] - a[((y - ry + size) % size) * size + x];
        }
      }
      [a, b] = [b, a];
    }
  }
  return a === src ? Float32Array.from(a) : a;
}

function standardise(f: Float32Array): Float32Array {
  let mean = 0;
  for (let i = 0; i < f.length; i++) mean += f[i];
  mean /= f.length;
  let ss = 0;
  for (let i = 0; i < f.length; i++) ss += (f[i] - mean) ** 2;
  const sd = Math.sqrt(ss / f.length) || 1;
  for (let i = 0; i < f.length; i++) f[i] = (f[i] - mean) / sd;
  return f;
}

function noise(rng: Random, n: number): Float32Array {
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = rng.normal();
  return f;
}

/** `pixelMm`: the image's pixel spacing; texture finer than about a pixel is smoothed away. */
export function makeTextureBank(rng: Random, pixelMm: number, tiles = 6): TextureBank {
  const pre = Math.max(0, Math.round((0.5 * pixelMm) / TEXEL_MM) - 1);
  const vertical: Float32Array[] = [];
  const horizontal: Float32Array[] = [];
  const mottle: Float32Array[] = [];
  for (let t = 0; t < tiles; t++) {
    // Struts ~0.5 mm thick, several mm long; plates the other way round; both then ridged (|x|)
    // so that thin bright rods sit on a darker marrow background.
    const v = standardise(wrapBlur(noise(rng, TILE * TILE), TILE, 1, 6, 2));
    const h = standardise(wrapBlur(noise(rng, TILE * TILE), TILE, 5, 1, 2));
    for (const f of [v, h]) for (let i = 0; i < f.length; i++) f[i] = 1.2 - 1.6 * Math.abs(f[i]) + 0.35 * f[i];
    const vs = standardise(pre > 0 ? wrapBlur(v, TILE, pre, pre, 1) : v);
    const hs = standardise(pre > 0 ? wrapBlur(h, TILE, pre, pre, 1) : h);
    vertical.push(vs);
    horizontal.push(hs);
    mottle.push(standardise(wrapBlur(noise(rng, TILE * TILE), TILE, Math.max(3, pre), Math.max(3, pre), 2)));
  }
  return { size: TILE, texelMm: TEXEL_MM, vertical, horizontal, mottle };
}

/** Nearest-texel lookup with wrap-around; (u, v) in millimetres. */
export function sampleTile(tile: Float32Array, size: number, texelMm: number, u: number, v: number): number {
  let x = Math.floor(u / texelMm) % size;
  let y = Math.floor(v / texelMm) % size;
  if (x < 0) x += size;
  if (y < 0) y += size;
  return tile[y * size + x];
}
