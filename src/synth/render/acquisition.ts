/**
 * How the anatomy becomes a 12-bit image: patient positioning (rotation up to +-15 degrees,
 * magnification, an off-centre spine), detector blur, a processing tone curve that differs between
 * exposures, heel-effect gradient, quantum noise (stronger where fewer photons arrive, here as a share
 * of the signal), and on some films collimator shutters whose unexposed borders come out bright.
 */
import type { Random } from '../../util/random.js';
import type { SpineAnatomy } from './spine-geometry.js';
import { apply, rotationAbout, scratchBuffer, type Affine, type Canvas } from './raster.js';

const DEG = Math.PI / 180;

export interface PoseInfo {
  pose: Affine;
  rotationDeg: number;
  magnification: number;
}

/** Anatomy mm -> pixels, with L1-L5 (bodies and some margin) inside the field. */
export function choosePose(anatomy: SpineAnatomy, width: number, height: number, pixelMm: number, rng: Random, extraRotationDeg = 0): PoseInfo {
  // A site's extra rotation is added to the same draw, so the default site's stream is untouched.
  const rotationDeg = rng.between(-15, 15) + extraRotationDeg;
  const magnification = rng.between(0.9, 1.12);
  const lumbar = anatomy.bodies.filter((b) => b.lumbarIndex !== null);
  const mx = (lumbar[0].x + lumbar[4].x) / 2;
  const my = (lumbar[0].y + lumbar[4].y) / 2;
  const margin = 0.03;
  let spread = 1;
  for (let attempt = 0; ; attempt++) {
    const tx = width * (0.5 + spread * rng.between(-0.08, 0.12));
    const ty = height * (0.5 + spread * rng.between(-0.07, 0.07));
    const rot = rotationAbout(rotationDeg * DEG, magnification / pixelMm, 0, 0);
    const [ox, oy] = apply(rot, mx, my);
    const pose = { ...rot, c: tx - ox, f: ty - oy };
    let fits = true;
    for (const b of lumbar) {
      const reach = b.width / 2 + 4;
      for (const [dx, dy] of [
        [-reach, -reach],
        [reach, -reach],
        [-reach, reach],
        [reach, reach],
      ]) {
        const [px, py] = apply(pose, b.x + dx, b.y + dy);
        if (px < width * margin || px > width * (1 - margin) || py < height * margin || py > height * (1 - margin)) fits = false;
      }
    }
    if (fits || attempt >= 40) return { pose, rotationDeg, magnification };
    if (attempt % 10 === 9) spread *= 0.5;
  }
}

/**
 * Separable Gaussian blur in place (edges clamped). Both passes walk whole rows, so the vertical
 * pass stays cache-friendly on a large image.
 */
export function gaussianBlur(canvas: Canvas, sigmaPx: number): void {
  if (sigmaPx < 0.3) return;
  const radius = Math.max(1, Math.ceil(2 * sigmaPx));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp((-0.5 * k * k) / (sigmaPx * sigmaPx));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
  const { width: w, height: h, data } = canvas;
  const line = new Float32Array(w + 2 * radius);
  for (let r = 0; r < h; r++) {
    const row = r * w;
    for (let i = 0; i < radius; i++) {
      line[i] = data[row];
      line[w + radius + i] = data[row + w - 1];
    }
    line.set(data.subarray(row, row + w), radius);
    for (let c = 0; c < w; c++) {
      let acc = 0;
      for (let k = 0; k < kernel.length; k++) acc += kernel[k] * line[c + k];
      data[row + c] = acc;
    }
  }
  const source = scratchBuffer(data.length);
  source.set(data);
  for (let r = 0; r < h; r++) {
    const out = r * w;
    data.fill(0, out, out + w);
    for (let k = -radius; k <= radius; k++) {
      const weight = kernel[k + radius];
      const src = Math.min(h - 1, Math.max(0, r + k)) * w;
      for (let c = 0; c < w; c++) data[out + c] += weight * source[src + c];
    }
  }
}

export interface ExposureInfo {
  collimated: boolean;
}

/**
 * Attenuation -> stored 12-bit values (MONOCHROME2: bone bright). Noise comes from a table of
 * seeded normal draws indexed by a fast xorshift stream seeded from rng: the same numbers every run,
 * at a fraction of the cost of a fresh normal draw per pixel.
 */
export function expose(canvas: Canvas, bmi: number, rng: Random): { pixels: Uint16Array; info: ExposureInfo } {
  const { width: w, height: h, data } = canvas;
  const base = rng.between(0.02, 0.06);
  const gain = rng.between(0.4, 0.5);
  const gamma = rng.between(0.85, 1.15);
  const heel = rng.between(-0.05, 0.05);
  const noiseSd = rng.between(0.007, 0.016) * (1 + Math.max(0, bmi - 24) / 15);
  // The tone curve (v^gamma) through a table: Math.pow per pixel would dominate the run time.
  const TONE_STEPS = 4096;
  const TONE_MAX = 1.6;
  const tone = new Float32Array(TONE_STEPS + 1);
  for (let i = 0; i <= TONE_STEPS; i++) tone[i] = Math.pow((i / TONE_STEPS) * TONE_MAX, gamma);
  const table = new Float32Array(8192);
  for (let i = 0; i < table.length; i++) table[i] = rng.normal();
  const noiseSeed = rng.nextUint32() | 1;

  const collimated = rng.bernoulli(0.35);
  // Shutter insets (fraction of width/height) and a small tilt of the shutters.
  const insets: number[] = collimated ? [0, 1, 2, 3].map(() => (rng.bernoulli(0.7) ? rng.between(0.02, 0.12) : 0)) : [0, 0, 0, 0];
  if (collimated && !insets.some((x) => x > 0)) insets[rng.int(4)] = rng.between(0.03, 0.1);
  const tilt = collimated ? rng.between(-2.5, 2.5) * DEG : 0;
  const shutterLevel = rng.between(0.9, 0.97);

  const pixels = new Uint16Array(w * h);
  toneAndNoise(data, pixels, w, h, base, gain, heel, tone, TONE_MAX, table, noiseSd, noiseSeed);
  if (collimated) collimate(pixels, w, h, insets, tilt, shutterLevel, table, noiseSeed ^ 0x5bd1e995);
  return { pixels, info: { collimated } };
}

/** The per-pixel tone curve and noise: a tight loop over numbers only, so V8 keeps it fast. */
function toneAndNoise(
  data: Float32Array,
  pixels: Uint16Array,
  w: number,
  h: number,
  base: number,
  gain: number,
  heel: number,
  tone: Float32Array,
  toneMax: number,
  table: Float32Array,
  noiseSd: number,
  seed: number,
): void {
  const steps = tone.length - 1;
  const top = tone[steps];
  const scale = steps / toneMax;
  let state = seed | 0;
  for (let r = 0; r < h; r++) {
    const offset = base + heel * (r / h - 0.5);
    const row = r * w;
    for (let c = 0; c < w; c++) {
      const idx = row + c;
      const linear = offset + gain * data[idx];
      let v = linear <= 0 ? 0 : linear >= toneMax ? top : tone[Math.round(linear * scale)];
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      v += noiseSd * (0.4 + v) * table[state & 8191];
      const q = Math.round(v * 4095);
      pixels[idx] = q < 0 ? 0 : q > 4095 ? 4095 : q;
    }
  }
}

/**
 * Collimator shutters: outside a slightly tilted rectangle the film is unexposed (bright, with a
 * little noise), with a penumbra of a few pixels at the edge.
 */
function collimate(pixels: Uint16Array, w: number, h: number, insets: number[], tilt: number, level: number, table: Float32Array, seed: number): void {
  const penumbra = Math.max(1, w / 400);
  const cosT = Math.cos(tilt);
  const sinT = Math.sin(tilt);
  const cx = w / 2;
  const cy = h / 2;
  const left = insets[0] * w - cx;
  const right = (1 - insets[1]) * w - cx;
  const top = insets[2] * h - cy;
  const bottom = (1 - insets[3]) * h - cy;
  let state = seed | 0;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const dx = c - cx;
      const dy = r - cy;
      const u = cosT * dx + sinT * dy;
      const t = -sinT * dx + cosT * dy;
      const inside = Math.min(u - left, right - u, t - top, bottom - t);
      if (inside >= penumbra) continue;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const k = Math.min(1, (penumbra - inside) / (2 * penumbra));
      const idx = r * w + c;
      const v = (pixels[idx] / 4095) * (1 - k) + k * (level + 0.004 * table[state & 8191]);
      const q = Math.round(v * 4095);
      pixels[idx] = q < 0 ? 0 : q > 4095 ? 4095 : q;
    }
  }
}
