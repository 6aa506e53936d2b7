/**
 * Text for the burned-in capture, drawn with sharp's text input (Pango + FreeType, DejaVu Sans from
 * fonts-dejavu-core, which scripts/setup.sh installs). Chosen over a hand-drawn bitmap font because
 * a capture is read by clinicians at any size: Pango gives hinted, antialiased glyphs at a size that
 * scales with the image, wraps the sentence at word boundaries to the image width, and covers every
 * character a flag or a model name may hold (dashes, accents), none of which a small bitmap font does.
 * The result is a coverage mask (0 = background, 255 = ink) that the caller blends in any colour.
 */
import { existsSync } from 'node:fs';
import sharp from 'sharp';

/** The font file of fonts-dejavu-core; when absent, fontconfig's own choice for "DejaVu Sans". */
const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface TextMask {
  /** Coverage 0..255, row-major, width * height. */
  coverage: Uint8Array;
  width: number;
  height: number;
}

/** Escapes the characters Pango markup treats specially (sharp's text input is markup). */
function escapeMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Renders `text` (newlines start new lines) at `sizePx` pixels, wrapped at word boundaries to at most
 * `maxWidth` pixels when given. The mask is as tight as the ink.
 */
export async function renderText(text: string, sizePx: number, maxWidth?: number): Promise<TextMask> {
  const { data, info } = await sharp({
    text: {
      text: escapeMarkup(text),
      font: `DejaVu Sans ${Math.max(1, Math.round(sizePx))}`,
      ...(existsSync(DEJAVU_SANS) ? { fontfile: DEJAVU_SANS } : {}),
      // At 72 dpi a point is a pixel, so the size above is in pixels.
      dpi: 72,
      ...(maxWidth !== undefined ? { width: Math.max(1, Math.floor(maxWidth)), wrap: 'word' as const } : {}),
    },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const coverage = new Uint8Array(info.width * info.height);
  for (let i = 0; i < coverage.length; i++) coverage[i] = data[i * info.channels];
  return { coverage, width: info.width, height: info.height };
}

/**
 * Blends `colour` into an RGB image (width x height, interleaved) through the mask placed with its
 * top-left corner at (left, top); the parts outside the image are cut off.
 */
export function blendMask(
  rgb: Uint8Array,
  width: number,
  height: number,
  mask: TextMask,
  left: number,
  top: number,
  colour: readonly [number, number, number],
): void {
  for (let y = 0; y < mask.height; y++) {
    const iy = top + y;
    if (iy < 0 || iy >= height) continue;
    for (let x = 0; x < mask.width; x++) {
      const ix = left + x;
      if (ix < 0 || ix >= width) continue;
      const a = mask.coverage[y * mask.width + x] / 255;
      if (a === 0) continue;
      const o = (iy * width + ix) * 3;
      for (let c = 0; c < 3; c++) rgb[o + c] = Math.round(rgb[o + c] * (1 - a) + colour[c] * a);
    }
  }
}
