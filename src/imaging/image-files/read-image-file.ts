/**
 * Reads PNG (8/16-bit), JPEG and TIFF radiographs through sharp (libvips, shipped prebuilt as npm
 * packages). They come back in the Radiograph shape with no spacing and a full-range window. An RGB
 * file whose three channels agree (a grey picture saved as colour, common for exported JPEGs) is read
 * as grey; a real colour image is refused.
 */
import sharp, { type Metadata } from 'sharp';
import type { Radiograph } from '../radiograph.js';
import { RadiographReadError, describeThrown } from '../read-error.js';
import type { ImageFileKind } from './sniff.js';

sharp.cache(false);

/** Channels may differ by this much (JPEG chroma noise) and the image still counts as grey. */
const GREY_TOLERANCE = 2;

export async function readImageFile(file: string, bytes: Uint8Array, kind: ImageFileKind): Promise<Radiograph> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'error' }).metadata();
  } catch (error) {
    throw new RadiographReadError(file, 'corrupt', `unreadable ${kind.toUpperCase()} file (${describeThrown(error)})`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width === 0 || height === 0) throw new RadiographReadError(file, 'corrupt', `${kind.toUpperCase()} file without a size`);
  if ((meta.pages ?? 1) > 1) throw new RadiographReadError(file, 'multi-frame', `multi-page ${kind.toUpperCase()} (${meta.pages} pages) where a single radiograph was expected`);
  const sixteen = meta.depth === 'ushort';
  const bitsStored = sixteen ? 16 : 8;
  const colourChannels = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0);

  let grey: Uint8Array | Uint16Array;
  try {
    if (colourChannels >= 3) {
      const { data } = await sharp(bytes, { failOn: 'error' })
        .removeAlpha()
        .toColourspace(sixteen ? 'rgb16' : 'srgb')
        .raw({ depth: sixteen ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true });
      const rgb = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.length >> 1) : new Uint8Array(data.buffer, data.byteOffset, data.length);
      grey = greyFromRgb(file, rgb, width * height, sixteen);
    } else {
      const { data } = await sharp(bytes, { failOn: 'error' })
        .extractChannel(0)
        .toColourspace(sixteen ? 'grey16' : 'b-w')
        .raw({ depth: sixteen ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true });
      grey = sixteen ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) : new Uint8Array(data);
    }
  } catch (error) {
    if (error instanceof RadiographReadError) throw error;
    throw new RadiographReadError(file, 'corrupt', `unreadable ${kind.toUpperCase()} file (${describeThrown(error)})`);
  }
  if (grey.length !== width * height) throw new RadiographReadError(file, 'corrupt', `decoded ${grey.length} pixels for ${width}x${height}`);

  const pixels = Float32Array.from(grey);
  let min = Infinity;
  let max = -Infinity;
  for (const v of pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    pixels,
    rows: height,
    columns: width,
    bitsStored,
    photometric: 'MONOCHROME2',
    inversion: null,
    transferSyntax: kind,
    pixelSpacing: null,
    spacingSource: null,
    viewPosition: null,
    patientOrientation: null,
    laterality: null,
    bodyPart: null,
    modality: null,
    window: { center: (min + max) / 2, width: Math.max(1, max - min), fromFile: false },
    warnings: [],
  };
}

function greyFromRgb(file: string, rgb: Uint8Array | Uint16Array, n: number, sixteen: boolean): Uint8Array | Uint16Array {
  if (rgb.length !== 3 * n) throw new RadiographReadError(file, 'corrupt', `decoded ${rgb.length / 3} RGB pixels for ${n}`);
  const tolerance = sixteen ? GREY_TOLERANCE * 257 : GREY_TOLERANCE;
  const out = sixteen ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgb[3 * i];
    const g = rgb[3 * i + 1];
    const b = rgb[3 * i + 2];
    if (Math.abs(r - g) > tolerance || Math.abs(g - b) > tolerance || Math.abs(r - b) > tolerance) {
      throw new RadiographReadError(file, 'colour', `colour image (pixel ${i % 1e9} has R,G,B = ${r},${g},${b}) where a greyscale radiograph was expected`);
    }
    out[i] = Math.round((r + g + b) / 3);
  }
  return out;
}
