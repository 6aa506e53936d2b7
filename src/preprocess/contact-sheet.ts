/**
 * A PNG for a glance at a variant: the first images in tensor order as small tiles (patches: one row
 * of five tiles per radiograph), each shrunk by averaging over its pixels' footprints.
 */
import { encodePng8 } from '../imaging/index.js';

const GAP = 2;
const GAP_VALUE = 64;

/** Box-filtered resize of one side x side plane to tile x tile. */
function shrink(src: Uint8Array, offset: number, side: number, tile: number): Uint8Array {
  const out = new Uint8Array(tile * tile);
  const f = side / tile;
  for (let ty = 0; ty < tile; ty++) {
    const y0 = Math.floor(ty * f);
    const y1 = Math.max(y0 + 1, Math.floor((ty + 1) * f));
    for (let tx = 0; tx < tile; tx++) {
      const x0 = Math.floor(tx * f);
      const x1 = Math.max(x0 + 1, Math.floor((tx + 1) * f));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += src[offset + y * side + x];
      out[ty * tile + tx] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

/** PNG bytes of the sheet; `images` are [channels, side, side] uint8 (at most the first few are used). */
export function contactSheet(images: Uint8Array[], channels: number, side: number): Uint8Array {
  const tile = Math.min(side, 96);
  const perRow = channels === 1 ? 8 : channels;
  const tiles: Uint8Array[] = [];
  for (const img of images.slice(0, channels === 1 ? 32 : 8)) {
    for (let c = 0; c < channels; c++) tiles.push(shrink(img, c * side * side, side, tile));
  }
  const cols = Math.max(1, Math.min(perRow, tiles.length));
  const rowsOfTiles = Math.max(1, Math.ceil(tiles.length / perRow));
  const width = cols * tile + (cols + 1) * GAP;
  const height = rowsOfTiles * tile + (rowsOfTiles + 1) * GAP;
  const sheet = new Uint8Array(width * height).fill(GAP_VALUE);
  tiles.forEach((t, k) => {
    const left = GAP + (k % perRow) * (tile + GAP);
    const top = GAP + Math.floor(k / perRow) * (tile + GAP);
    for (let y = 0; y < tile; y++) sheet.set(t.subarray(y * tile, (y + 1) * tile), (top + y) * width + left);
  });
  return encodePng8(sheet, width, height);
}
