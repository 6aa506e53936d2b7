/**
 * A heatmap (Grad-CAM, values in [0, 1]) blended in colour over a greyscale radiograph: the one
 * overlay that `predict --heatmap`, the viewer, the PACS capture and the report's galleries draw, with
 * one colour ramp. The ramp runs dark blue -> cyan -> yellow -> red, so "hot" reads the same in print
 * and for colour-blind readers who can still tell light from dark; it never makes pure green, which
 * the keypoint markers use. Opacity grows with the heat (a = alpha * v), so cold regions show the
 * radiograph untouched.
 */
import { encodePngRgb } from './image-files/png-writer.js';

/** Colour stops of the ramp at 0, 1/3, 2/3 and 1. */
const RAMP: readonly (readonly [number, number, number])[] = [
  [20, 30, 140],
  [0, 190, 220],
  [250, 230, 40],
  [215, 25, 28],
];

/** Opacity of the heatmap at its hottest point. */
export const HEAT_ALPHA = 0.5;

/** RGB of the ramp at v in [0, 1] (clamped; NaN is cold). */
export function rampColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - k;
  return [0, 1, 2].map((c) => Math.round(RAMP[k][c] + f * (RAMP[k + 1][c] - RAMP[k][c]))) as [number, number, number];
}

/**
 * A heatmap of any resolution (camWidth x camHeight, row-major) sampled bilinearly onto width x height,
 * pixel centres onto pixel centres.
 */
export function resampleHeatmap(cam: ArrayLike<number>, camWidth: number, camHeight: number, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const cy = Math.min(camHeight - 1, Math.max(0, ((y + 0.5) * camHeight) / height - 0.5));
    const y0 = Math.floor(cy);
    const y1 = Math.min(camHeight - 1, y0 + 1);
    const fy = cy - y0;
    for (let x = 0; x < width; x++) {
      const cx = Math.min(camWidth - 1, Math.max(0, ((x + 0.5) * camWidth) / width - 0.5));
      const x0 = Math.floor(cx);
      const x1 = Math.min(camWidth - 1, x0 + 1);
      const fx = cx - x0;
      out[y * width + x] =
        (1 - fy) * ((1 - fx) * cam[y0 * camWidth + x0] + fx * cam[y0 * camWidth + x1]) +
        fy * ((1 - fx) * cam[y1 * camWidth + x0] + fx * cam[y1 * camWidth + x1]);
    }
  }
  return out;
}

/**
 * Grey pixels with the heatmap (one value per pixel) blended on top, as interleaved RGB:
 * (1 - a) grey + a ramp(v), with a = alpha * v.
 */
export function blendHeatmap(grey: ArrayLike<number>, heat: ArrayLike<number>, alpha = HEAT_ALPHA): Uint8Array {
  if (grey.length !== heat.length) throw new RangeError(`heatmap overlay: ${heat.length} heat values for ${grey.length} pixels`);
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) {
    const v = heat[i];
    const a = alpha * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
    const g = grey[i];
    if (a === 0) {
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g;
      continue;
    }
    const colour = rampColour(v);
    for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.round((1 - a) * g + a * colour[c]);
  }
  return rgb;
}

/** The blended overlay as a PNG: grey is width x height; heat has a value per pixel. */
export function heatmapOverlayPng(grey: ArrayLike<number>, width: number, height: number, heat: ArrayLike<number>, alpha = HEAT_ALPHA): Buffer {
  if (grey.length !== width * height) throw new RangeError(`heatmap overlay: ${grey.length} pixels for ${width}x${height}`);
  return encodePngRgb(blendHeatmap(grey, heat, alpha), width, height);
}
