/**
 * The spine in millimetres ("anatomy frame": x grows posteriorly, y grows caudally; the patient
 * faces the left of the image, as lateral films are usually hung). Vertebral bodies T11 to S3 are
 * chained along a lordotic curve: each body has its own angle (its endplates' tilt), sizes follow
 * typical adult lumbar dimensions, discs narrow with age, and one lumbar body may carry the patient's
 * mild deformity.
 */
import type { Random } from '../../util/random.js';
import type { Deformity } from '../deformity.js';

export interface VertebralBody {
  level: string;
  /** 0..4 for L1..L5, null for T11, T12 and the sacral segments. */
  lumbarIndex: number | null;
  sacral: boolean;
  x: number;
  y: number;
  /** Endplate tilt in radians: the body's u axis points along (cos, sin), its v axis caudally. */
  angle: number;
  /** Antero-posterior depth. */
  width: number;
  halfHeightAnterior: number;
  halfHeightPosterior: number;
  /** Endplate concavity at the centre of each endplate (mm), deformity included. */
  concavity: number;
  anteriorWaist: number;
  cornerRadius: number;
}

export interface SpineAnatomy {
  bodies: VertebralBody[];
  /** Posterior skin line: x (mm) for y sampled every `backStepMm` from `backY0`. */
  backX: Float64Array;
  backY0: number;
  backStepMm: number;
}

interface LevelTemplate {
  level: string;
  lumbarIndex: number | null;
  sacral: boolean;
  height: number;
  width: number;
  /** Anterior minus posterior height (mm): thoracic bodies are wedged forward, L5 backward. */
  wedge: number;
  /** Disc (full height) below this body. */
  discBelow: number;
}

const LEVELS: LevelTemplate[] = [
  { level: 'T11', lumbarIndex: null, sacral: false, height: 22, width: 30, wedge: -2.5, discBelow: 5 },
  { level: 'T12', lumbarIndex: null, sacral: false, height: 24, width: 32, wedge: -2, discBelow: 6 },
  { level: 'L1', lumbarIndex: 0, sacral: false, height: 26, width: 34, wedge: -1.5, discBelow: 8 },
  { level: 'L2', lumbarIndex: 1, sacral: false, height: 27, width: 35.5, wedge: -0.5, discBelow: 9 },
  { level: 'L3', lumbarIndex: 2, sacral: false, height: 27.5, width: 37, wedge: 0.5, discBelow: 10 },
  { level: 'L4', lumbarIndex: 3, sacral: false, height: 27, width: 38, wedge: 1.5, discBelow: 10.5 },
  { level: 'L5', lumbarIndex: 4, sacral: false, height: 26, width: 38, wedge: 3.5, discBelow: 9 },
  { level: 'S1', lumbarIndex: null, sacral: true, height: 24, width: 36, wedge: 2, discBelow: 0.5 },
  { level: 'S2', lumbarIndex: null, sacral: true, height: 19, width: 28, wedge: 0, discBelow: 0.3 },
  { level: 'S3', lumbarIndex: null, sacral: true, height: 15, width: 21, wedge: -1, discBelow: 1 },
];

/** Share of the L1-S1 lordosis taken by each step L1/L2 ... L5/S1 (most of it low down). */
const LORDOSIS_SHARE = [0.08, 0.12, 0.18, 0.25, 0.37];

const DEG = Math.PI / 180;

export interface SpineInputs {
  sex: 'F' | 'M';
  age: number;
  bmi: number;
  deformity: Deformity | null;
}

export function buildSpine(p: SpineInputs, rng: Random): SpineAnatomy {
  const scale = (p.sex === 'M' ? 1.07 : 1) * rng.truncatedNormal(1, 0.04, 0.9, 1.1);
  const lordosis = rng.truncatedNormal(45, 9, 25, 68);
  const l1Angle = rng.truncatedNormal(8, 4, -2, 18);
  const angles: number[] = new Array<number>(LEVELS.length).fill(0);
  const l1 = 2;
  angles[l1] = l1Angle;
  angles[1] = l1Angle + rng.truncatedNormal(4, 2, 0, 9);
  angles[0] = angles[1] + rng.truncatedNormal(5, 2, 1, 10);
  const shares = LORDOSIS_SHARE.map((s) => s * rng.between(0.75, 1.25));
  const shareSum = shares.reduce((a, b) => a + b, 0);
  for (let k = 0; k < 5; k++) angles[l1 + k + 1] = angles[l1 + k] - (lordosis * shares[k]) / shareSum;
  angles[8] = angles[7] + rng.between(10, 20);
  angles[9] = angles[8] + rng.between(10, 20);

  const discAging = Math.max(0, (p.age - 50) / 25);
  const bodies: VertebralBody[] = LEVELS.map((t, i) => {
    const height = t.height * scale * rng.between(0.95, 1.05);
    const width = t.width * scale * rng.between(0.95, 1.05);
    const wedge = t.wedge * scale + rng.normal(0, 0.6);
    let halfA = (height + wedge / 2) / 2;
    let halfP = (height - wedge / 2) / 2;
    let concavity = rng.between(0.5, 1.4) * scale * (t.sacral ? 0.3 : 1);
    const d = p.deformity;
    if (d !== null && t.lumbarIndex === d.level) {
      if (d.kind === 'wedge') halfA *= 1 - d.heightLoss;
      else if (d.kind === 'crush') {
        halfA *= 1 - d.heightLoss;
        halfP *= 1 - 0.8 * d.heightLoss;
      } else concavity += (d.heightLoss * height) / 2;
    }
    return {
      level: t.level,
      lumbarIndex: t.lumbarIndex,
      sacral: t.sacral,
      x: 0,
      y: 0,
      angle: angles[i] * DEG,
      width,
      halfHeightAnterior: halfA,
      halfHeightPosterior: halfP,
      concavity,
      anteriorWaist: rng.between(0.6, 2.0) * scale * (t.sacral ? 0.2 : 1),
      cornerRadius: rng.between(1.5, 3) * scale,
    };
  });
  const discs = LEVELS.map((t) => t.discBelow * scale * (t.sacral ? 1 : 1 - rng.between(0, 0.4) * discAging));

  // Chain the centres from L3 (at the origin) up and down: half a body, the disc (along the mean
  // of the two angles), half the next body.
  const axis = (angle: number): [number, number] => [-Math.sin(angle), Math.cos(angle)];
  const halfMid = (b: VertebralBody): number => (b.halfHeightAnterior + b.halfHeightPosterior) / 2 - b.concavity * 0.3;
  const l3 = 4;
  for (let i = l3 + 1; i < bodies.length; i++) {
    const prev = bodies[i - 1];
    const cur = bodies[i];
    const [ax, ay] = axis(prev.angle);
    const [mx, my] = axis((prev.angle + cur.angle) / 2);
    const [bx, by] = axis(cur.angle);
    cur.x = prev.x + ax * halfMid(prev) + mx * discs[i - 1] + bx * halfMid(cur);
    cur.y = prev.y + ay * halfMid(prev) + my * discs[i - 1] + by * halfMid(cur);
    // The sacrum continues from S1's posterior half, as the fused segments taper backwards.
    if (cur.sacral && i > 7) {
      cur.x += (prev.width - cur.width) * 0.35 * Math.cos(cur.angle);
      cur.y += (prev.width - cur.width) * 0.35 * Math.sin(cur.angle);
    }
  }
  for (let i = l3 - 1; i >= 0; i--) {
    const next = bodies[i + 1];
    const cur = bodies[i];
    const [ax, ay] = axis(next.angle);
    const [mx, my] = axis((next.angle + cur.angle) / 2);
    const [bx, by] = axis(cur.angle);
    cur.x = next.x - ax * halfMid(next) - mx * discs[i] - bx * halfMid(cur);
    cur.y = next.y - ay * halfMid(next) - my * discs[i] - by * halfMid(cur);
  }

  // Posterior skin: behind the spinous processes by muscle plus a BMI-dependent fat layer.
  const fat = Math.min(55, Math.max(6, 12 + 3 * (p.bmi - 20))) * rng.between(0.8, 1.2);
  const behind = 62 * scale + fat;
  const pts = bodies.map((b) => [b.y + Math.sin(b.angle) * (b.width / 2 + behind), b.x + Math.cos(b.angle) * (b.width / 2 + behind)]);
  const backStepMm = 2;
  const backY0 = -400;
  const backX = new Float64Array(401);
  for (let k = 0; k < backX.length; k++) {
    const y = backY0 + k * backStepMm;
    let x: number;
    if (y <= pts[0][0]) x = pts[0][1] + (pts[0][0] - y) * 0.15;
    else if (y >= pts[pts.length - 1][0]) x = pts[pts.length - 1][1] + (y - pts[pts.length - 1][0]) * 0.1;
    else {
      let j = 0;
      while (pts[j + 1][0] < y) j++;
      const t = (y - pts[j][0]) / (pts[j + 1][0] - pts[j][0]);
      x = pts[j][1] + t * (pts[j + 1][1] - pts[j][1]);
    }
    backX[k] = x;
  }
  // The skin does not follow the spine's corners: smooth the line over about 3 cm.
  const smoothed = Float64Array.from(backX);
  for (let pass = 0; pass < 3; pass++) {
    const src = Float64Array.from(smoothed);
    for (let k = 0; k < src.length; k++) {
      let sum = 0;
      let n = 0;
      for (let j = Math.max(0, k - 7); j <= Math.min(src.length - 1, k + 7); j++) (sum += src[j]), n++;
      smoothed[k] = sum / n;
    }
  }
  return { bodies, backX: smoothed, backY0, backStepMm };
}

export function backSkinX(a: SpineAnatomy, y: number): number {
  const k = (y - a.backY0) / a.backStepMm;
  const i = Math.max(0, Math.min(a.backX.length - 2, Math.floor(k)));
  const t = Math.max(0, Math.min(1, k - i));
  return a.backX[i] + t * (a.backX[i + 1] - a.backX[i]);
}
