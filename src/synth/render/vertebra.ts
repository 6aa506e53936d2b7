/**
 * Draws one vertebra: the body (cortical rim brightest where the X-ray meets the shell edge-on, at
 * the endplates and the anterior and posterior walls; trabecular texture inside whose brightness and
 * contrast follow the latent density) and, behind it, the posterior elements (pedicle, articular
 * pillar with its processes, lamina and spinous process). The body also writes its label into the
 * mask when it is one of L1-L5.
 */
import type { Random } from '../../util/random.js';
import type { VertebralBody } from './spine-geometry.js';
import { compose, ellipsoidThickness, invert, localFrame, pixelBounds, rasterize, smoothstep, type Affine, type Canvas } from './raster.js';
import { sampleTile, type TextureBank } from './texture.js';

/** How the latent T-score shows in the bone (attenuation units; soft tissue is about 1). */
export interface BoneAppearance {
  trabecularMean: number;
  textureAmplitude: number;
  horizontalWeight: number;
  rimAttenuation: number;
  rimThicknessMm: number;
}

export function boneAppearance(tscore: number): BoneAppearance {
  const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
  return {
    trabecularMean: clamp(0.2 + 0.05 * tscore, 0.07, 0.4),
    textureAmplitude: clamp(0.03 - 0.004 * tscore, 0.018, 0.05),
    horizontalWeight: clamp(0.55 + 0.15 * tscore, 0.08, 0.85),
    rimAttenuation: clamp(0.26 + 0.015 * tscore, 0.16, 0.32),
    rimThicknessMm: clamp(1.3 + 0.12 * tscore, 0.8, 1.7),
  };
}

interface BodyDistance {
  /** Signed distance-like value (mm): > 0 inside. */
  d: number;
  /** True when the nearest edge is an endplate. */
  endplate: boolean;
}

function bodyDistance(b: VertebralBody, u: number, v: number, out: BodyDistance): void {
  const w2 = b.width / 2;
  const t = Math.min(1, Math.max(0, (u + w2) / b.width));
  const x = (2 * u) / b.width;
  const halfH = b.halfHeightAnterior + (b.halfHeightPosterior - b.halfHeightAnterior) * t - b.concavity * Math.max(0, 1 - x * x);
  const dv = halfH - Math.abs(v);
  const hv = v / Math.max(1, (b.halfHeightAnterior + b.halfHeightPosterior) / 2);
  const bulge = Math.max(0, 1 - hv * hv);
  const uAnt = -w2 + b.anteriorWaist * bulge;
  const uPost = w2 - 0.4 * b.anteriorWaist * bulge;
  const du = Math.min(u - uAnt, uPost - u);
  const r = b.cornerRadius;
  if (dv < r && du < r) out.d = r - Math.hypot(r - dv, r - du);
  else out.d = Math.min(dv, du);
  out.endplate = dv < du;
}

export interface BodyRenderResult {
  /** Pixel coordinates of the body centre (local origin). */
  centre: [number, number];
}

export function renderBody(
  canvas: Canvas,
  pose: Affine,
  b: VertebralBody,
  look: BoneAppearance,
  bank: TextureBank,
  pixelMm: number,
  rng: Random,
  labels: Uint8Array | null,
): BodyRenderResult {
  const toPixel = compose(pose, localFrame(b.x, b.y, b.angle));
  const tile = rng.int(bank.vertical.length);
  const offU = rng.between(0, 48);
  const offV = rng.between(0, 48);
  // Left and right halves of an endplate rarely superimpose exactly: a faint second contour.
  const shiftU = rng.between(-1, 1);
  const shiftV = rng.between(-1.6, 1.6);
  const sacralDim = b.sacral ? 0.8 : 1;
  // Below S1 the segments are fused: their outlines are faint ridges, not endplates.
  const rimScale = b.sacral && b.level !== 'S1' ? 0.35 : 1;
  const wH = look.horizontalWeight;
  const wV = 1 - 0.5 * wH;
  const vertical = bank.vertical[tile];
  const horizontal = bank.horizontal[tile];
  const aa = Math.max(0.35, 0.5 * pixelMm);
  const label = b.lumbarIndex === null ? 0 : b.lumbarIndex + 1;
  const hMax = Math.max(b.halfHeightAnterior, b.halfHeightPosterior) + 3;
  const box = { u0: -b.width / 2 - 3, u1: b.width / 2 + 3, v0: -hMax, v1: hMax };
  const { c0, c1, r0, r1 } = pixelBounds(canvas, toPixel, box);
  const inv = invert(toPixel);
  const main: BodyDistance = { d: 0, endplate: false };
  const ghost: BodyDistance = { d: 0, endplate: false };
  const data = canvas.data;
  const w = canvas.width;
  const tau = look.rimThicknessMm;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const u = inv.a * c + inv.b * r + inv.c;
      const v = inv.d * c + inv.e * r + inv.f;
      bodyDistance(b, u, v, main);
      bodyDistance(b, u + shiftU, v + shiftV, ghost);
      if (main.d < -2 * aa && ghost.d < -2 * aa) continue;
      const idx = r * w + c;
      const cover = smoothstep(-aa, aa, main.d);
      let value = 0;
      if (cover > 0) {
        const x = (2 * u) / b.width;
        const path = 0.8 + 0.2 * Math.sqrt(Math.max(0, 1 - x * x));
        const tex = wV * sampleTile(vertical, bank.size, bank.texelMm, u + offU, v + offV) + wH * sampleTile(horizontal, bank.size, bank.texelMm, u + offU, v + offV);
        value += cover * path * (look.trabecularMean + look.textureAmplitude * tex);
        const rimMain = Math.exp(-Math.max(0, main.d) / tau) * (main.endplate ? 1.2 : 1);
        value += 0.7 * rimScale * cover * look.rimAttenuation * rimMain;
        if (labels !== null && label > 0 && main.d > 0) labels[idx] = label;
      }
      const coverGhost = smoothstep(-aa, aa, ghost.d);
      if (coverGhost > 0) value += 0.3 * rimScale * coverGhost * look.rimAttenuation * Math.exp(-Math.max(0, ghost.d) / tau) * (ghost.endplate ? 1.2 : 1);
      data[idx] += value * sacralDim;
    }
  }
  const cx = toPixel.c;
  const cy = toPixel.f;
  return { centre: [cx, cy] };
}

/**
 * A bony plate seen side-on: flat inside with a brighter cortical outline (unlike an ellipsoid,
 * whose centre would glow), soft-edged. (cu, cv) centre, a and b half-axes, rot radians.
 */
function plate(canvas: Canvas, bodyToPixel: Affine, cu: number, cv: number, a: number, bAxis: number, rot: number, amp: number, cortex: number, squareness = 2): void {
  const m = compose(bodyToPixel, localFrame(cu, cv, rot));
  const edgeMm = Math.min(a, bAxis);
  rasterize(canvas, m, { u0: -a, u1: a, v0: -bAxis, v1: bAxis }, (u, v) => {
    const q =
      squareness === 2
        ? Math.sqrt((u * u) / (a * a) + (v * v) / (bAxis * bAxis))
        : Math.pow(Math.abs(u / a) ** squareness + Math.abs(v / bAxis) ** squareness, 1 / squareness);
    if (q >= 1) return 0;
    const inset = (1 - q) * edgeMm;
    return amp * (smoothstep(0, 1.2, inset) * (0.65 + 0.35 * ellipsoidThickness(u, v, a, bAxis)) + cortex * Math.exp(-inset / 1.1));
  });
}

/** Pedicle, articular pillar and processes, lamina and spinous process; a plate for the sacrum. */
export function renderPosteriorElements(canvas: Canvas, pose: Affine, b: VertebralBody, look: BoneAppearance, rng: Random): void {
  const m = compose(pose, localFrame(b.x, b.y, b.angle));
  const W = b.width;
  const H = b.halfHeightAnterior + b.halfHeightPosterior;
  const w2 = W / 2;
  const density = 0.7 + look.trabecularMean;
  if (b.sacral) {
    plate(canvas, m, w2 + 0.28 * W, 0, 0.3 * W, 0.6 * H, rng.between(-0.2, 0.2), 0.07 * density, 0.6);
    return;
  }
  const thoracic = b.level.startsWith('T');
  // Pedicle: from the upper posterior body back to the articular pillar.
  plate(canvas, m, w2 + 0.2 * W, -0.17 * H, 0.26 * W, 0.17 * H, rng.between(-0.1, 0.1), 0.11 * density, 0.5);
  // Articular pillar with the superior process reaching up and the inferior one down.
  const pillarTilt = rng.between(-0.3, 0.0);
  plate(canvas, m, w2 + 0.45 * W, -0.05 * H, 0.14 * W, 0.5 * H, pillarTilt, 0.1 * density, 0.7);
  plate(canvas, m, w2 + 0.4 * W, -0.55 * H, 0.09 * W, 0.22 * H, 0.25, 0.06 * density, 0.8);
  plate(canvas, m, w2 + 0.55 * W, 0.5 * H, 0.09 * W, 0.24 * H, -0.15, 0.06 * density, 0.8);
  // Lamina and spinous process: a broad plate running back and down.
  const tilt = (thoracic ? rng.between(35, 50) : rng.between(5, 20)) * (Math.PI / 180);
  const length = W * (thoracic ? 1.0 : rng.between(0.7, 0.9));
  const startU = w2 + 0.5 * W;
  const startV = 0.1 * H;
  // Lumbar spinous processes are broad, hatchet-shaped plates; thoracic ones long and slender.
  const halfHeight = (thoracic ? 0.17 : rng.between(0.22, 0.3)) * H;
  plate(canvas, m, startU + 0.5 * length * Math.cos(tilt), startV + 0.5 * length * Math.sin(tilt), 0.55 * length, halfHeight, tilt, 0.08 * density, 0.9, 3);
}

/**
 * Degenerative spurs at the anterior corners of older spines: small bright beaks growing forward
 * from the endplate rims (more and larger with age), one of the commonest findings on such films.
 */
export function renderOsteophytes(canvas: Canvas, pose: Affine, b: VertebralBody, age: number, look: BoneAppearance, rng: Random): void {
  if (b.sacral) return;
  const m = compose(pose, localFrame(b.x, b.y, b.angle));
  const chance = Math.min(0.6, Math.max(0, (age - 50) / 40));
  for (const side of [-1, 1]) {
    const present = rng.uniform() < chance;
    const length = rng.between(1.2, 1.6 + (age - 50) / 10);
    const tilt = rng.between(0.2, 0.6);
    if (!present) continue;
    const h = b.halfHeightAnterior;
    const u = -b.width / 2 - 0.35 * length;
    const v = side * (h - 0.6);
    plate(canvas, m, u, v, length, 1.3 + 0.3 * length, -side * tilt, 0.1 + look.rimAttenuation * 0.3, 0.4);
  }
}
