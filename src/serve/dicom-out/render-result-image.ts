/**
 * The picture that goes back to the PACS as a secondary capture: the radiograph through its display
 * window, the Grad-CAM heatmap blended in colour, the five keypoints as labelled rings, and below the
 * image a black band with the risk in words. The radiograph keeps its pixel grid (the band is added
 * underneath), so a point on the capture is the same point on the source image.
 */
import sharp, { type OutputInfo } from 'sharp';
import { blendHeatmap, windowToBytes, type Radiograph } from '../../imaging/index.js';
import { InputError } from '../../util/errors.js';
import { KEYPOINT_NAMES } from '../../keypoints/index.js';
import { riskSentence, type PacsResult } from './pacs-result.js';
import { blendMask, renderText } from './text-raster.js';

/** The marker colour: pure green, which the heatmap's ramp (blue, cyan, yellow, red) never makes. */
export const MARKER_COLOUR: readonly [number, number, number] = [0, 255, 0];
const OUTLINE_COLOUR: readonly [number, number, number] = [0, 0, 0];
const TEXT_COLOUR: readonly [number, number, number] = [255, 255, 255];

export interface ResultImage {
  /** Interleaved 8-bit RGB, rows * columns * 3. */
  rgb: Uint8Array;
  rows: number;
  columns: number;
}

/** Marker geometry for an image of this size: ring radius and ring half-thickness, in pixels. */
export function markerGeometry(rows: number, columns: number): { radius: number; halfWidth: number } {
  const radius = Math.max(5, Math.round(Math.min(rows, columns) / 50));
  return { radius, halfWidth: Math.max(1, radius / 5) };
}

/**
 * The Grad-CAM heatmap, in either form the server has it:
 * - values in [0, 1], one per radiograph pixel (rows * columns, as warpHeatmapBack returns), blended
 *   here over the windowed radiograph;
 * - { overlayPng }: the overlay already blended (the PNG the viewer shows, ViewerBackend.heatmapPng,
 *   the size of the radiograph), used as the picture as it is;
 * - null: no heatmap; the windowed radiograph alone.
 */
export type HeatmapInput = Float32Array | { overlayPng: Uint8Array } | null;

export async function renderResultImage(radiograph: Radiograph, heatmap: HeatmapInput, result: PacsResult): Promise<ResultImage> {
  const { rows, columns } = radiograph;
  if (heatmap instanceof Float32Array && heatmap.length !== rows * columns) {
    throw new RangeError(`renderResultImage: heatmap has ${heatmap.length} values, the radiograph ${rows}x${columns} pixels`);
  }
  const overlay = heatmap !== null && !(heatmap instanceof Float32Array) ? await decodeOverlay(heatmap.overlayPng, rows, columns) : null;
  const map = heatmap instanceof Float32Array ? heatmap : null;
  const grey = windowToBytes(radiograph.pixels, radiograph.window);
  const fontPx = Math.max(10, Math.round(columns / 48));
  const margin = Math.max(4, Math.round(fontPx / 2));
  const sentence = await renderText(riskSentence(result), fontPx, columns - 2 * margin);
  const band = sentence.height + 2 * margin;
  const outRows = rows + band;
  const rgb = new Uint8Array(outRows * columns * 3); // the band stays black

  // The overlay as the viewer showed it, or the heatmap blended here the same way (imaging/heatmap-overlay.ts).
  rgb.set(overlay ?? blendHeatmap(grey, map ?? new Float32Array(rows * columns)));

  const { radius, halfWidth } = markerGeometry(rows, columns);
  const labelPx = Math.max(10, Math.round(radius * 1.6));
  for (let k = 0; k < KEYPOINT_NAMES.length; k++) {
    // COCO pixels put the centre of pixel (i, j) at (j + 0.5, i + 0.5).
    const cx = result.keypoints[2 * k] - 0.5;
    const cy = result.keypoints[2 * k + 1] - 0.5;
    drawRing(rgb, columns, rows, cx, cy, radius, halfWidth + 1, OUTLINE_COLOUR);
    drawRing(rgb, columns, rows, cx, cy, radius, halfWidth, MARKER_COLOUR);
    const label = await renderText(KEYPOINT_NAMES[k], labelPx);
    const left = Math.round(cx + radius + halfWidth + 3);
    const top = Math.round(cy - label.height / 2);
    // A one-pixel black shadow keeps the label legible over bright bone and hot heatmap.
    for (const [dx, dy] of [[1, 1], [-1, -1], [1, -1], [-1, 1]]) blendMask(rgb, columns, rows, label, left + dx, top + dy, OUTLINE_COLOUR);
    blendMask(rgb, columns, rows, label, left, top, MARKER_COLOUR);
  }

  blendMask(rgb, columns, outRows, sentence, margin, rows + margin, TEXT_COLOUR);
  return { rgb, rows: outRows, columns };
}

/** The overlay PNG as interleaved RGB, refused unless it is the radiograph's size. */
async function decodeOverlay(png: Uint8Array, rows: number, columns: number): Promise<Uint8Array> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new InputError(`heatmap overlay: not a readable PNG (${(error as Error).message})`);
  }
  const { data, info } = decoded;
  if (info.width !== columns || info.height !== rows || info.channels !== 3) {
    throw new InputError(`heatmap overlay: ${info.width}x${info.height} with ${info.channels} channels, the radiograph is ${columns}x${rows} (RGB expected)`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** Paints the pixels whose centres lie within halfWidth of the circle of radius r around (cx, cy). */
function drawRing(
  rgb: Uint8Array,
  width: number,
  height: number,
  cx: number,
  cy: number,
  r: number,
  halfWidth: number,
  colour: readonly [number, number, number],
): void {
  const reach = Math.ceil(r + halfWidth);
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(height - 1, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(width - 1, Math.ceil(cx + reach)); x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (Math.abs(d - r) > halfWidth) continue;
      const o = (y * width + x) * 3;
      rgb[o] = colour[0];
      rgb[o + 1] = colour[1];
      rgb[o + 2] = colour[2];
    }
  }
}
