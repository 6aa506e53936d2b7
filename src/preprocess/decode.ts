/**
 * Reading one cohort row's radiograph (and its mask): the bytes are hashed for the manifest and
 * decoded. Runs on a worker thread (decode-worker.ts) or inline. A file that cannot be read is a
 * reason to leave the patient out, not an error.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readRadiographBytes } from '../imaging/index.js';
import { describeThrown } from '../imaging/read-error.js';

export interface DecodeJob {
  index: number;
  imagePath: string;
  maskPath: string | null;
}

export type DecodeResult =
  | { index: number; ok: true; pixels: Float32Array; rows: number; columns: number; labels: Uint8Array | null; sha256: string; maskSha256: string | null }
  | { index: number; ok: false; reason: string };

async function readHashed(path: string): Promise<{ bytes: Buffer; sha256: string }> {
  const bytes = readFileSync(path);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function decodeJob(job: DecodeJob): Promise<DecodeResult> {
  let image;
  try {
    image = await readHashed(job.imagePath);
  } catch (error) {
    return { index: job.index, ok: false, reason: `unreadable image: ${describeThrown(error)}` };
  }
  let radiograph;
  try {
    radiograph = await readRadiographBytes(job.imagePath, image.bytes);
  } catch (error) {
    const message = describeThrown(error);
    return { index: job.index, ok: false, reason: `unreadable image: ${message.startsWith(job.imagePath) ? message.slice(job.imagePath.length + 2) : message}` };
  }
  let labels: Uint8Array | null = null;
  let maskSha256: string | null = null;
  if (job.maskPath !== null) {
    try {
      const mask = await readHashed(job.maskPath);
      maskSha256 = mask.sha256;
      const decoded = await readRadiographBytes(job.maskPath, mask.bytes);
      if (decoded.rows !== radiograph.rows || decoded.columns !== radiograph.columns) {
        return { index: job.index, ok: false, reason: `mask is ${decoded.columns}x${decoded.rows}, image ${radiograph.columns}x${radiograph.rows}` };
      }
      labels = new Uint8Array(decoded.pixels.length);
      for (let i = 0; i < labels.length; i++) {
        const v = decoded.pixels[i];
        labels[i] = Number.isInteger(v) && v >= 0 && v <= 5 ? v : 0;
      }
    } catch (error) {
      return { index: job.index, ok: false, reason: `unreadable mask: ${describeThrown(error)}` };
    }
  }
  return {
    index: job.index,
    ok: true,
    pixels: radiograph.pixels,
    rows: radiograph.rows,
    columns: radiograph.columns,
    labels,
    sha256: image.sha256,
    maskSha256,
  };
}
