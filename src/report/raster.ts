/**
 * Small pictures for the report's galleries: a greyscale thumbnail, and a Grad-CAM heatmap blended
 * over a greyscale image, both as PNG bytes (sharp encodes them). The heatmap's colour ramp runs
 * dark blue -> cyan -> yellow -> red, so "hot" reads the same in print and for colour-blind readers
 * who can still tell light from dark.
 */
import sharp from 'sharp';
import { encodePng8 } from '../imaging/image-files/png-writer.js';

/** Colour stops of the ramp at 0, 1/3, 2/3 and 1. */
const RAMP: [number, number, number][] = [
  [20, 30, 140],
  [0, 190, 220],
  [250, 230, 40],
  [215, 25, 28],
];

/** RGB of the ramp at v in [0, 1] (clamped). */
export function rampColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - k;
  return [0, 1, 2].map((c) => Math.round(RAMP[k][c] + f * (RAMP[k + 1][c] - RAMP[k][c]))) as [number, number, number];
}

/** 8-bit grey pixels (row-major) -> a greyscale PNG. */
export function greyPng(pixels: Uint8Array, width: number, height: number): Buffer {
  return encodePng8(pixels, width, height);
}

/**
 * A heatmap in [0, 1] (camWidth x camHeight, row-major, any resolution: it is sampled bilinearly)
 * over 8-bit grey pixels (width x height): colour = (1 - a) grey + a ramp(v) with a = alpha * v, so
 * cold regions show the radiograph untouched.
 */
export async function heatmapOverlayPng(
  grey: Uint8Array,
  width: number,
  height: number,
  cam: ArrayLike<number>,
  camWidth: number,
  camHeight: number,
  alpha = 0.6,
): Promise<Buffer> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    // Pixel centres map onto the heatmap's pixel centres.
    const cy = Math.min(camHeight - 1, Math.max(0, ((y + 0.5) * camHeight) / height - 0.5));
    const y0 = Math.floor(cy);
    const y1 = Math.min(camHeight - 1, y0 + 1);
    const fy = cy - y0;
    for (let x = 0; x < width; x++) {
      const cx = Math.min(camWidth - 1, Math.max(0, ((x + 0.5) * camWidth) / width - 0.5));
      const x0 = Math.floor(cx);
      const x1 = Math.min(camWidth - 1, x0 + 1);
      const fx = cx - x0;
      const v =
        (1 - fy) * ((1 - fx) * cam[y0 * camWidth + x0] + fx * cam[y0 * camWidth + x1]) +
        fy * ((1 - fx) * cam[y1 * camWidth + x0] + fx * cam[y1 * camWidth + x1]);
      const a = alpha * Math.min(1, Math.max(0, v));
      const colour = rampColour(v);
      const g = grey[y * width + x];
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = Math.round((1 - a) * g + a * colour[c]);
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
