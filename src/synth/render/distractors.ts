/**
 * What else a lateral lumbar film shows, so that a model must find the spine rather than any bright
 * blob: lower ribs crossing the top of the field, the iliac wings over L5 and the sacrum, bowel gas
 * (dark, sometimes mottled with stool, some of it over the vertebral bodies) and a lead side marker.
 */
import type { Random } from '../../util/random.js';
import type { SpineAnatomy } from './spine-geometry.js';
import { compose, ellipsoidThickness, localFrame, rasterize, smoothstep, type Affine, type Canvas } from './raster.js';
import { sampleTile, type TextureBank } from './texture.js';

export function renderRibs(canvas: Canvas, pose: Affine, anatomy: SpineAnatomy, rng: Random): void {
  const count = 2 + rng.int(3);
  const t11 = anatomy.bodies[0];
  for (let k = 0; k < count; k++) {
    // Each rib leaves the spine behind the body and sweeps down and forward on a wide arc.
    const startX = t11.x + t11.width / 2 + rng.between(5, 25);
    const startY = t11.y + rng.between(-30, 45) + k * 14;
    const radius = rng.between(140, 260);
    const heading = rng.between(20, 45) * (Math.PI / 180);
    const thickness = rng.between(7, 11);
    const amp = rng.between(0.05, 0.09);
    const span = rng.between(90, 170);
    // Centre of the arc: perpendicular (upward-anterior side) to the initial heading (-cos, sin).
    const cx = startX - Math.sin(heading) * radius;
    const cy = startY - Math.cos(heading) * radius;
    const a0 = Math.atan2(startY - cy, startX - cx);
    const a1 = a0 + span / radius;
    const m = compose(pose, localFrame(cx, cy, 0));
    let u0 = Infinity;
    let u1 = -Infinity;
    let v0 = Infinity;
    let v1 = -Infinity;
    for (let s = 0; s <= 12; s++) {
      const ang = a0 + ((a1 - a0) * s) / 12;
      const px = Math.cos(ang) * radius;
      const py = Math.sin(ang) * radius;
      u0 = Math.min(u0, px - thickness);
      u1 = Math.max(u1, px + thickness);
      v0 = Math.min(v0, py - thickness);
      v1 = Math.max(v1, py + thickness);
    }
    const half = thickness / 2;
    rasterize(canvas, m, { u0, u1, v0, v1 }, (u, v) => {
      // Distance to the arc first: most of the box is off the band, and atan2 is dear.
      const s = (Math.sqrt(u * u + v * v) - radius) / half;
      if (s <= -1 || s >= 1) return 0;
      const ang = Math.atan2(v, u);
      if (ang < a0 || ang > a1) return 0;
      const fade = smoothstep(a1, a1 - 0.15, ang);
      return amp * fade * (0.55 * Math.sqrt(1 - s * s) + 0.45 * Math.exp(-((1 - Math.abs(s)) * half) / 0.8));
    });
  }
}

export function renderIliacWings(canvas: Canvas, pose: Affine, anatomy: SpineAnatomy, rng: Random): void {
  const s1 = anatomy.bodies[7];
  const cx = s1.x + rng.between(-25, 10);
  const cy = s1.y + rng.between(50, 75);
  for (let side = 0; side < 2; side++) {
    const a = rng.between(65, 90);
    const b = rng.between(55, 70);
    const m = compose(pose, localFrame(cx + rng.between(-8, 8), cy + rng.between(-6, 6), rng.between(-0.25, 0.1)));
    const plate = rng.between(0.012, 0.025);
    const crest = rng.between(0.03, 0.05);
    rasterize(canvas, m, { u0: -a, u1: a, v0: -b, v1: b }, (u, v) => {
      const q = (u * u) / (a * a) + (v * v) / (b * b);
      if (q >= 1) return 0;
      // The crest (upper outline) is seen edge-on and shows as a bright curved line.
      const edge = (1 - Math.sqrt(q)) * Math.min(a, b);
      const crestLine = v < 0 ? Math.exp(-edge / 2.5) : 0.3 * Math.exp(-edge / 2.5);
      return plate * smoothstep(0, 3, edge) + crest * crestLine;
    });
  }
}

export function renderBowelGas(canvas: Canvas, pose: Affine, anatomy: SpineAnatomy, bank: TextureBank, rng: Random): void {
  const l1 = anatomy.bodies[2];
  const l5 = anatomy.bodies[6];
  const count = 2 + rng.int(8);
  for (let k = 0; k < count; k++) {
    const anteriorWall = l1.x - l1.width / 2;
    const x = anteriorWall + rng.between(-130, 35);
    const y = rng.between(l1.y - 50, l5.y + 50);
    const a = rng.between(8, 40);
    const b = rng.between(6, 22);
    const depth = rng.between(0.05, 0.2);
    const mottled = rng.bernoulli(0.4);
    const haustra = !mottled && a > 25 && rng.bernoulli(0.6);
    const period = rng.between(10, 18);
    const tile = bank.mottle[rng.int(bank.mottle.length)];
    const m = compose(pose, localFrame(x, y, rng.between(0, Math.PI)));
    rasterize(canvas, m, { u0: -a, u1: a, v0: -b, v1: b }, (u, v) => {
      const t = ellipsoidThickness(u, v, a, b);
      if (t === 0) return 0;
      let g = Math.sqrt(t);
      if (mottled) g *= 0.25 + 0.75 * smoothstep(-0.3, 0.8, sampleTile(tile, bank.size, bank.texelMm, u * 0.6, v * 0.6));
      if (haustra) g *= 0.75 + 0.25 * Math.cos((2 * Math.PI * u) / period);
      return -depth * g;
    });
  }
}

/** A lead letter ("L") in a corner of the field: very bright, sharp-edged. */
export function renderMarker(canvas: Canvas, pixelMm: number, rng: Random): void {
  if (!rng.bernoulli(0.7)) return;
  const size = 12 / pixelMm;
  const stroke = Math.max(1, 2.2 / pixelMm);
  const left = rng.bernoulli(0.5);
  const top = rng.bernoulli(0.5);
  const x0 = Math.round(left ? canvas.width * rng.between(0.04, 0.12) : canvas.width * rng.between(0.82, 0.92));
  const y0 = Math.round(top ? canvas.height * rng.between(0.04, 0.1) : canvas.height * rng.between(0.85, 0.92));
  const fill = (cx0: number, cy0: number, cw: number, ch: number): void => {
    for (let r = Math.max(0, cy0); r < Math.min(canvas.height, cy0 + ch); r++) {
      for (let c = Math.max(0, cx0); c < Math.min(canvas.width, cx0 + cw); c++) canvas.data[r * canvas.width + c] += 1.5;
    }
  };
  fill(x0, y0, Math.round(stroke), Math.round(size));
  fill(x0, y0 + Math.round(size - stroke), Math.round(size * 0.6), Math.round(stroke));
}

/**
 * Calcified plaque in the abdominal aorta, common after 60: faint bright flecks on a line running
 * down in front of L1-L4, some 15-35 mm anterior to the bodies.
 */
export function renderAorticCalcification(canvas: Canvas, pose: Affine, anatomy: SpineAnatomy, age: number, rng: Random): void {
  const present = rng.uniform() < Math.min(0.7, Math.max(0.05, (age - 50) / 30));
  const offset = rng.between(15, 35);
  const flecks = 3 + rng.int(12);
  const seeds = Array.from({ length: flecks }, () => [rng.between(2, 5.5), rng.between(-3, 3), rng.between(2, 7), rng.between(0.6, 1.4), rng.between(0.05, 0.15)]);
  if (!present) return;
  for (const [pos, jitter, len, thick, amp] of seeds) {
    const level = Math.min(5, Math.floor(pos));
    const frac = pos - level;
    const a = anatomy.bodies[level];
    const b = anatomy.bodies[level + 1];
    const ax = a.x - Math.cos(a.angle) * (a.width / 2 + offset);
    const ay = a.y - Math.sin(a.angle) * (a.width / 2 + offset);
    const bx = b.x - Math.cos(b.angle) * (b.width / 2 + offset);
    const by = b.y - Math.sin(b.angle) * (b.width / 2 + offset);
    const x = ax + (bx - ax) * frac + jitter;
    const y = ay + (by - ay) * frac;
    const m = compose(pose, localFrame(x, y, Math.atan2(by - ay, bx - ax)));
    rasterize(canvas, m, { u0: -len, u1: len, v0: -thick, v1: thick }, (u, v) => amp * ellipsoidThickness(u, v, len, thick));
  }
}
