/**
 * The soft-tissue background of a lateral lumbar film: the X-ray path through the abdomen, longest
 * in front of the spine and falling to zero at the posterior skin line (air behind the back is
 * black), thicker with BMI; gentle lumpiness of muscle and fat; more tissue low down (buttocks and
 * pelvis); the air-filled lung bases above the diaphragm at the top of the field.
 */
import type { Random } from '../../util/random.js';
import { backSkinX, type SpineAnatomy } from './spine-geometry.js';
import { invert, smoothstep, type Affine, type Canvas } from './raster.js';

/** Attenuation per millimetre of soft tissue: 300 mm of tissue is one unit. */
export const SOFT_TISSUE_PER_MM = 1 / 300;

export function renderSoftTissue(canvas: Canvas, pose: Affine, anatomy: SpineAnatomy, bmi: number, pixelMm: number, rng: Random): void {
  const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
  const halfDepth = clamp(130 + 5 * (bmi - 24), 90, 210) * rng.between(0.9, 1.1);
  const halfWidth = clamp(145 + 6 * (bmi - 24), 100, 230) * rng.between(0.9, 1.1);
  const GW = 9;
  const GH = 11;
  const lumps = new Float64Array(GW * GH);
  for (let i = 0; i < lumps.length; i++) lumps[i] = rng.normal(0, 0.03);
  const t12 = anatomy.bodies[1];
  const s1 = anatomy.bodies[7];
  const diaphragmY = t12.y + rng.between(-5, 25);
  const diaphragmSlope = rng.between(0.25, 0.5);
  const lungDepth = rng.between(0.06, 0.18);
  const pelvisGain = rng.between(0.08, 0.2);
  const aa = Math.max(0.5, pixelMm);
  const inv = invert(pose);
  const { width: w, height: h, data } = canvas;
  // Everything here is smooth, so it is evaluated on a coarse grid (every STEP pixels) and
  // interpolated; the skin edge is kept sharp by interpolating the signed distance to the skin
  // (a smooth function) rather than the cut-off itself.
  const STEP = 8;
  const gw = Math.ceil((w - 1) / STEP) + 2;
  const gh = Math.ceil((h - 1) / STEP) + 2;
  const tissue = new Float32Array(gw * gh);
  const skinDistance = new Float32Array(gw * gh);
  for (let j = 0; j < gh; j++) {
    for (let i = 0; i < gw; i++) {
      const c = i * STEP;
      const r = j * STEP;
      const x = inv.a * c + inv.b * r + inv.c;
      const y = inv.d * c + inv.e * r + inv.f;
      const back = backSkinX(anatomy, y);
      // Posteriorly the path falls to zero at the skin; anteriorly the abdomen stays thick (its front
      // wall is usually outside the field), tapering only gently.
      const q = (x - (back - halfDepth)) / halfDepth;
      const path = 2 * halfWidth * (q > 0 ? Math.sqrt(Math.max(0.02, 1 - q * q)) : Math.max(0.55, 1 - 0.12 * q * q));
      const gx = Math.min(GW - 1, (c / (w - 1)) * (GW - 1));
      const gy = Math.min(GH - 1, (r / (h - 1)) * (GH - 1));
      const gx0 = Math.min(GW - 2, Math.floor(gx));
      const gy0 = Math.min(GH - 2, Math.floor(gy));
      const fx = gx - gx0;
      const fy = gy - gy0;
      const k = gy0 * GW + gx0;
      const lump = (lumps[k] * (1 - fx) + lumps[k + 1] * fx) * (1 - fy) + (lumps[k + GW] * (1 - fx) + lumps[k + GW + 1] * fx) * fy;
      let value = SOFT_TISSUE_PER_MM * path * (1 + lump);
      value += pelvisGain * smoothstep(s1.y - 20, s1.y + 90, y);
      const lungEdge = diaphragmY + diaphragmSlope * (x - t12.x) + 0.004 * (x - t12.x) ** 2;
      value -= lungDepth * smoothstep(0, 40, lungEdge - y) * smoothstep(0, 40, back - 30 - x);
      tissue[j * gw + i] = value;
      skinDistance[j * gw + i] = x - back;
    }
  }
  for (let r = 0; r < h; r++) {
    const j = Math.floor(r / STEP);
    const fy = r / STEP - j;
    const row0 = j * gw;
    const row1 = row0 + gw;
    let idx = r * w;
    for (let i = 0; i * STEP < w; i++) {
      const t00 = tissue[row0 + i];
      const t01 = tissue[row0 + i + 1];
      const t10 = tissue[row1 + i];
      const t11 = tissue[row1 + i + 1];
      const d00 = skinDistance[row0 + i];
      const d01 = skinDistance[row0 + i + 1];
      const d10 = skinDistance[row1 + i];
      const d11 = skinDistance[row1 + i + 1];
      const tLeft = t00 + (t10 - t00) * fy;
      const tRight = t01 + (t11 - t01) * fy;
      const dLeft = d00 + (d10 - d00) * fy;
      const dRight = d01 + (d11 - d01) * fy;
      const cEnd = Math.min(w, (i + 1) * STEP);
      for (let c = i * STEP; c < cEnd; c++, idx++) {
        const fx = (c - i * STEP) / STEP;
        const d = dLeft + (dRight - dLeft) * fx;
        if (d >= aa) continue;
        const t = tLeft + (tRight - tLeft) * fx;
        data[idx] += d <= -aa ? t : t * (1 - smoothstep(-aa, aa, d));
      }
    }
  }
}
