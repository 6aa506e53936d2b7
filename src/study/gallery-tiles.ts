/**
 * The pictures behind the report's galleries: a radiograph cropped around its spine with the
 * predicted and annotated L1-L5 centres carried into the crop's pixels, and a model input with its
 * Grad-CAM heatmap blended over it; plus which patients the galleries show. Coordinates are continuous
 * pixel coordinates in the COCO convention (pixel i covers [i, i + 1), its centre at i + 0.5).
 */
import type { Radiograph } from '../imaging/radiograph.js';
import { encodePng8, heatmapOverlayPng, resampleHeatmap } from '../imaging/index.js';
import type { GradcamTile, KeypointTile } from '../report/results.js';

export interface Picture<T> {
  tile: T;
  png: Buffer;
}

/** Mean distance between two point lists (x1, y1, ..., x5, y5) in mm; [row, column] spacing. */
export function meanRadialErrorMm(a: ArrayLike<number>, b: ArrayLike<number>, spacing: [number, number]): number {
  let sum = 0;
  for (let k = 0; k < 5; k++) {
    const dx = (a[2 * k] - b[2 * k]) * spacing[1];
    const dy = (a[2 * k + 1] - b[2 * k + 1]) * spacing[0];
    sum += Math.hypot(dx, dy);
  }
  return sum / 5;
}

/**
 * The spine's square neighbourhood (the points' bounding box grown by 35% of the L1-L5 distance on
 * every side), inside the image, averaged down to at most `size` pixels a side and windowed as the
 * file says.
 */
export async function keypointPicture(
  r: Radiograph,
  predicted: number[],
  truth: number[] | null,
  flags: string[],
  file: string,
  size = 240,
): Promise<Picture<KeypointTile>> {
  const xs = [0, 1, 2, 3, 4].flatMap((k) => [predicted[2 * k], ...(truth ? [truth[2 * k]] : [])]).filter(Number.isFinite);
  const ys = [0, 1, 2, 3, 4].flatMap((k) => [predicted[2 * k + 1], ...(truth ? [truth[2 * k + 1]] : [])]).filter(Number.isFinite);
  const span = Math.hypot(predicted[8] - predicted[0], predicted[9] - predicted[1]);
  const grow = Number.isFinite(span) && span > 0 ? 0.35 * span : 0.1 * Math.max(r.columns, r.rows);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const half = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / 2 + grow;
  const x0 = Math.max(0, Math.floor(cx - half));
  const y0 = Math.max(0, Math.floor(cy - half));
  const x1 = Math.min(r.columns, Math.ceil(cx + half));
  const y1 = Math.min(r.rows, Math.ceil(cy + half));
  const cropW = Math.max(1, x1 - x0);
  const cropH = Math.max(1, y1 - y0);
  const scale = Math.min(1, size / Math.max(cropW, cropH));
  const width = Math.max(1, Math.round(cropW * scale));
  const height = Math.max(1, Math.round(cropH * scale));
  const c = r.window.center - 0.5;
  const w = Math.max(1, r.window.width - 1);
  const grey = new Uint8Array(width * height);
  for (let oy = 0; oy < height; oy++) {
    const sy0 = y0 + Math.floor((oy * cropH) / height);
    const sy1 = Math.max(sy0 + 1, y0 + Math.floor(((oy + 1) * cropH) / height));
    for (let ox = 0; ox < width; ox++) {
      const sx0 = x0 + Math.floor((ox * cropW) / width);
      const sx1 = Math.max(sx0 + 1, x0 + Math.floor(((ox + 1) * cropW) / width));
      let sum = 0;
      for (let y = sy0; y < sy1; y++) for (let x = sx0; x < sx1; x++) sum += r.pixels[y * r.columns + x];
      const v = sum / ((sy1 - sy0) * (sx1 - sx0));
      grey[oy * width + ox] = Math.round(255 * Math.min(1, Math.max(0, (v - c) / w + 0.5)));
    }
  }
  const sx = width / cropW;
  const sy = height / cropH;
  const toTile = (p: number[]) => p.map((v, i) => (i % 2 === 0 ? (v - x0) * sx : (v - y0) * sy));
  return {
    tile: {
      file,
      width,
      height,
      predicted: toTile(predicted),
      truth: truth ? toTile(truth) : null,
      mre_mm: truth && r.pixelSpacing ? meanRadialErrorMm(predicted, truth, r.pixelSpacing) : null,
      flags,
    },
    png: encodePng8(grey, width, height),
  };
}

/**
 * A model input (8-bit, width x height) with its Grad-CAM map blended over it, the map scaled by its
 * own maximum (Grad-CAM is non-negative; an all-zero map draws nothing).
 */
export async function gradcamPicture(
  input: Uint8Array,
  width: number,
  height: number,
  cam: ArrayLike<number>,
  camWidth: number,
  camHeight: number,
  meta: Omit<GradcamTile, 'file' | 'width' | 'height'>,
  file: string,
): Promise<Picture<GradcamTile>> {
  let max = 0;
  for (let i = 0; i < cam.length; i++) if (cam[i] > max) max = cam[i];
  const scaled = Float32Array.from(cam, (v) => (max > 0 ? Math.max(0, v) / max : 0));
  return { tile: { file, width, height, ...meta }, png: heatmapOverlayPng(input, width, height, resampleHeatmap(scaled, camWidth, camHeight, width, height)) };
}

/** Each value's percentile among all (0 = lowest, 100 = highest; ties share the mean rank). */
export function percentiles(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  for (let k = 0; k < n; ) {
    let j = k;
    while (j + 1 < n && values[order[j + 1]] === values[order[k]]) j++;
    const rank = (k + j) / 2;
    for (let m = k; m <= j; m++) out[order[m]] = n > 1 ? (100 * rank) / (n - 1) : 50;
    k = j + 1;
  }
  return out;
}

/**
 * The Grad-CAM gallery's patients: the `perGroup` test patients who fractured with the highest
 * predicted risk, and the `perGroup` without a fracture with the lowest (row indices; ties in
 * row order). The selection is stated in the report.
 */
export function gradcamSelection(risk: ArrayLike<number>, event: ArrayLike<number>, perGroup: number): { rows: number[]; selection: string } {
  const idx = Array.from({ length: risk.length }, (_, i) => i);
  const fractured = idx.filter((i) => event[i] === 1).sort((a, b) => risk[b] - risk[a] || a - b).slice(0, perGroup);
  const others = idx.filter((i) => event[i] !== 1).sort((a, b) => risk[a] - risk[b] || a - b).slice(0, perGroup);
  return {
    rows: [...fractured, ...others],
    selection: `The ${fractured.length} test patients who fractured with the highest predicted risk, and the ${others.length} without a fracture with the lowest`,
  };
}

/** The `count` rows with the largest error (NaN last), worst first. */
export function worstCases(errors: ArrayLike<number>, count: number): number[] {
  const idx = Array.from({ length: errors.length }, (_, i) => i).filter((i) => Number.isFinite(errors[i]));
  return idx.sort((a, b) => errors[b] - errors[a] || a - b).slice(0, count);
}
