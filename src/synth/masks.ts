/**
 * Vertebral-body masks: one 8-bit PNG label map per image (0 background, 1..5 = L1..L5), the same
 * size as the radiograph, in DIR/masks/. Also the COCO box and area of the L1-L5 union.
 */
import { writePng8 } from '../imaging/index.js';

export function writeMask(path: string, labels: Uint8Array, columns: number, rows: number): void {
  writePng8(path, labels, columns, rows);
}

export interface MaskExtent {
  /** COCO [x, y, width, height] of the labelled pixels (pixel edges), or null when empty. */
  bbox: [number, number, number, number] | null;
  /** Number of labelled pixels. */
  area: number;
}

export function maskExtent(labels: Uint8Array, columns: number): MaskExtent {
  let cMin = Infinity;
  let cMax = -Infinity;
  let rMin = Infinity;
  let rMax = -Infinity;
  let area = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    area++;
    const r = Math.floor(i / columns);
    const c = i - r * columns;
    if (c < cMin) cMin = c;
    if (c > cMax) cMax = c;
    if (r < rMin) rMin = r;
    if (r > rMax) rMax = r;
  }
  return { bbox: area === 0 ? null : [cMin - 0.5, rMin - 0.5, cMax - cMin + 1, rMax - rMin + 1], area };
}
