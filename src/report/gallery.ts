/**
 * The report's picture galleries as inline SVG: each tile is a PNG (embedded as a data URI, so the
 * page stays one self-contained file) with its label underneath, and for keypoints the predicted and
 * annotated L1-L5 centres drawn over it. Tiles carry no patient identifier: a Grad-CAM tile says only
 * outcome, follow-up and risk percentile.
 */
import type { GradcamGallery, GradcamTile, KeypointGallery, KeypointTile } from './results.js';
import { KEYPOINT_NAMES } from '../keypoints/index.js';
import { escapeHtml, fixed } from './format.js';

/** Reads a gallery PNG by its path relative to OUT. */
export type AssetReader = (file: string) => Uint8Array;

const TILE = 170;
const LABEL = 34;
const GAP = 10;
const PER_ROW = 5;

function dataUri(bytes: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
}

interface Placed<T> {
  tile: T;
  x: number;
  y: number;
  /** Display pixels per image pixel. */
  scale: number;
  w: number;
  h: number;
}

function layout<T extends { width: number; height: number }>(tiles: T[]): { placed: Placed<T>[]; width: number; height: number } {
  const placed = tiles.map((tile, i) => {
    const scale = Math.min(TILE / tile.width, TILE / tile.height);
    const w = tile.width * scale;
    const h = tile.height * scale;
    const col = i % PER_ROW;
    const row = Math.floor(i / PER_ROW);
    return { tile, x: col * (TILE + GAP) + (TILE - w) / 2, y: row * (TILE + LABEL + GAP) + (TILE - h) / 2, scale, w, h };
  });
  const cols = Math.min(PER_ROW, tiles.length);
  const rows = Math.ceil(tiles.length / PER_ROW);
  return { placed, width: Math.max(1, cols * (TILE + GAP) - GAP), height: Math.max(1, rows * (TILE + LABEL + GAP) - GAP) };
}

function label(p: Placed<unknown>, lines: string[]): string {
  const cx = p.x + p.w / 2;
  const top = p.y - (TILE - p.h) / 2 + TILE;
  return lines.map((text, k) => `<text x="${cx.toFixed(1)}" y="${(top + 13 + 13 * k).toFixed(1)}" text-anchor="middle" font-size="11" fill="#222">${escapeHtml(text)}</text>`).join('');
}

function svg(id: string, width: number, height: number, body: string, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="gallery" id="${escapeHtml(id)}-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">${body}</svg>`;
}

export function gradcamLabel(t: GradcamTile): string[] {
  return [t.event === 1 ? `fracture at ${t.time.toFixed(1)} y` : `no fracture, ${t.time.toFixed(1)} y follow-up`, `risk percentile ${Math.round(t.risk_percentile)}`];
}

export function gradcamGallerySvg(id: string, gallery: GradcamGallery, read: AssetReader): string {
  const { placed, width, height } = layout(gallery.tiles);
  const body = placed
    .map((p) =>
      `<g class="tile"><image href="${dataUri(read(p.tile.file))}" x="${p.x.toFixed(1)}" y="${p.y.toFixed(1)}" width="${p.w.toFixed(1)}" height="${p.h.toFixed(1)}"/>` +
      `<rect x="${p.x.toFixed(1)}" y="${p.y.toFixed(1)}" width="${p.w.toFixed(1)}" height="${p.h.toFixed(1)}" fill="none" stroke="${p.tile.event === 1 ? '#D55E00' : '#888'}" stroke-width="${p.tile.event === 1 ? 3 : 1}"/>` +
      label(p, gradcamLabel(p.tile)) + '</g>',
    )
    .join('');
  return svg(id, width, height, body, `Grad-CAM heatmaps of ${gallery.tiles.length} test patients`);
}


function points(p: Placed<KeypointTile>, xy: number[], kind: 'predicted' | 'truth'): string {
  const out: string[] = [];
  for (let k = 0; k < 5; k++) {
    // Keypoints are in COCO pixel coordinates (pixel centres at +0.5): the picture's own frame.
    const x = p.x + xy[2 * k] * p.scale;
    const y = p.y + xy[2 * k + 1] * p.scale;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    out.push(
      kind === 'predicted'
        ? `<circle class="kp-predicted" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.2" fill="#E69F00" stroke="#000" stroke-width="0.6"><title>${KEYPOINT_NAMES[k]} predicted</title></circle>`
        : `<circle class="kp-truth" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="none" stroke="#56B4E9" stroke-width="1.6"><title>${KEYPOINT_NAMES[k]} annotated</title></circle>`,
    );
  }
  return out.join('');
}

export function keypointLabel(t: KeypointTile): string[] {
  const first = t.mre_mm === null ? 'no annotation' : `mean error ${fixed(t.mre_mm, 1)} mm`;
  // One short line under a 170 px tile: the first flag, cut, and how many more (all are in results.json).
  const flag = t.flags.length === 0 ? 'no flags' : `${t.flags.length} flag${t.flags.length > 1 ? 's' : ''}: ${t.flags[0]}`;
  return [first, flag.length > 30 ? `${flag.slice(0, 29)}…` : flag];
}

export function keypointGallerySvg(id: string, gallery: KeypointGallery, read: AssetReader): string {
  const { placed, width, height } = layout(gallery.tiles);
  const body = placed
    .map((p) =>
      `<g class="tile"><image href="${dataUri(read(p.tile.file))}" x="${p.x.toFixed(1)}" y="${p.y.toFixed(1)}" width="${p.w.toFixed(1)}" height="${p.h.toFixed(1)}"/>` +
      (p.tile.truth ? points(p, p.tile.truth, 'truth') : '') +
      points(p, p.tile.predicted, 'predicted') +
      label(p, keypointLabel(p.tile)) + '</g>',
    )
    .join('');
  return svg(id, width, height, body, `Keypoints on ${gallery.tiles.length} radiographs`);
}
