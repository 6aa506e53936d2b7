/**
 * 8-bit previews of rendered radiographs (for documentation and a quick look): the 12-bit values
 * windowed between their 0.5th and 99.5th percentiles, optionally with the L1-L5 masks tinted and the
 * keypoints marked, so that a reader can check that the truth sits on the drawn bodies.
 */
import type { Radiograph } from './render/radiograph.js';

export function previewPixels(image: Radiograph, overlay = false): Uint8Array {
  const histogram = new Uint32Array(4096);
  for (const v of image.pixels) histogram[v]++;
  const quantile = (q: number): number => {
    let seen = 0;
    for (let v = 0; v < 4096; v++) {
      seen += histogram[v];
      if (seen >= q * image.pixels.length) return v;
    }
    return 4095;
  };
  const lo = quantile(0.005);
  const hi = Math.max(lo + 1, quantile(0.995));
  const out = new Uint8Array(image.pixels.length);
  for (let k = 0; k < out.length; k++) {
    const g = Math.round((255 * (image.pixels[k] - lo)) / (hi - lo));
    out[k] = g < 0 ? 0 : g > 255 ? 255 : g;
  }
  if (overlay) {
    for (let k = 0; k < out.length; k++) if (image.labels[k] > 0 && image.labels[k] % 2 === 1) out[k] = Math.min(255, out[k] + 45);
    for (const [x, y] of image.keypoints) {
      const cx = Math.round(x);
      const cy = Math.round(y);
      const arm = Math.max(2, Math.round(image.rows / 150));
      for (let d = -arm; d <= arm; d++) {
        if (cy >= 0 && cy < image.rows && cx + d >= 0 && cx + d < image.columns) out[cy * image.columns + cx + d] = 0;
        if (cx >= 0 && cx < image.columns && cy + d >= 0 && cy + d < image.rows) out[(cy + d) * image.columns + cx] = 0;
      }
    }
  }
  return out;
}
