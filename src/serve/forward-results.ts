/**
 * Results back to the PACS (--forward AET@HOST:PORT): once an instance is scored, the secondary
 * capture and the structured report made by src/serve/dicom-out are sent there by C-STORE. This is the
 * one place the core meets dicom-out (loaded by a computed path, so the core builds without it; a
 * build without it refuses --forward at start). A failed send is retried by the caller, never blocking
 * scoring.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRadiographBytes, type Radiograph } from '../imaging/index.js';
import { UsageError } from '../util/errors.js';
import type { InstanceRow } from './serve-db.js';
import { uidTag } from './uid.js';

export interface Destination {
  aeTitle: string;
  host: string;
  port: number;
  callingAeTitle: string;
}

interface PacsResult {
  risk: number;
  surv: Record<string, number>;
  percentile: number;
  keypoints: number[];
  flags: string[];
  modelVersion: string;
  scoredAt: string;
}

interface DicomOutModule {
  forwardResults(dest: Destination, source: Uint8Array, radiograph: Radiograph, result: PacsResult, heatmap: Float32Array | null): Promise<unknown>;
}

/** AET@HOST:PORT, checked. */
export function parseForward(spec: string, callingAeTitle: string): Destination {
  const m = /^([^@\s\\]{1,16})@([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(spec);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) throw new UsageError(`--forward ${spec}: expected AET@HOST:PORT (an AE title of at most 16 characters, a host, a port 1-65535)`);
  return { aeTitle: m[1], host: m[2].replace(/^\[|\]$/g, ''), port, callingAeTitle };
}

export interface Forwarder {
  /** Sends one scored instance's results; rejects when the destination did not take them. */
  send(row: InstanceRow): Promise<void>;
}

export async function loadForwarder(dest: Destination, imagesDir: string): Promise<Forwarder> {
  const path = './dicom-out/index.js';
  let module: DicomOutModule;
  try {
    module = (await import(path)) as DicomOutModule;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dicom-out')) {
      throw new UsageError('--forward: this build has no DICOM result builders (src/serve/dicom-out); run without --forward');
    }
    throw error;
  }
  return {
    async send(row) {
      const bytes = new Uint8Array(await readFile(join(imagesDir, row.file)));
      const radiograph = await readRadiographBytes(`instance ${uidTag(row.sop_instance_uid)}`, bytes);
      const keypoints = JSON.parse(row.corrected_keypoints ?? row.predicted_keypoints ?? 'null') as number[] | null;
      if (row.risk === null || row.surv === null || row.percentile === null || keypoints === null || row.model_version === null || row.scored_at === null) {
        throw new Error('not scored');
      }
      const result: PacsResult = {
        risk: row.risk, surv: JSON.parse(row.surv) as Record<string, number>, percentile: row.percentile, keypoints,
        flags: JSON.parse(row.flags) as string[], modelVersion: row.model_version, scoredAt: row.scored_at,
      };
      // The Grad-CAM map is not sent: the capture shows the keypoints and the risk in words.
      await module.forwardResults(dest, bytes, radiograph, result, null);
    },
  };
}
