/**
 * Renders one patient and writes its DICOM file and mask; returns what the cohort-level files
 * (keypoints.json, truth.json) need. The same function runs inline or in a worker thread.
 */
import { join } from 'node:path';
import { writeDicom } from '../imaging/index.js';
import { imageShape, renderRadiograph, type RadiographPatient } from './render/radiograph.js';
import { makeTextureBank, type TextureBank } from './render/texture.js';
import { streamRandom } from './streams.js';
import { maskExtent, writeMask } from './masks.js';
import type { AcquisitionShift } from './sites.js';

export interface RenderJob {
  patient: RadiographPatient & { patientId: string };
  size: number;
  seed: number;
  /** The cohort folder being written (a temporary name until complete). */
  dir: string;
  /** Another synthetic site's acquisition (sites.ts); absent for the default site. */
  site?: AcquisitionShift;
}

export interface RenderedPatient {
  index: number;
  rows: number;
  columns: number;
  pixelSpacing: [number, number];
  keypoints: [number, number][];
  bbox: [number, number, number, number] | null;
  area: number;
  rotationDeg: number;
  magnification: number;
  collimated: boolean;
}

export function imagePath(patientId: string): string {
  return `images/${patientId}.dcm`;
}

export function maskPath(patientId: string): string {
  return `masks/${patientId}.png`;
}

/**
 * The texture bank every render of a cohort uses: built once per thread (inline or in each worker)
 * from the seed and image size alone, so all threads hold the same bank.
 */
export function cohortTextureBank(seed: number, size: number, fieldMm?: number): TextureBank {
  return makeTextureBank(streamRandom(seed, 'texture'), imageShape(size, fieldMm).pixelMm);
}

export function runRenderJob(job: RenderJob, bank: TextureBank): RenderedPatient {
  const { patient } = job;
  const image = renderRadiograph(patient, job.size, job.seed, bank, job.site);
  writeDicom(join(job.dir, imagePath(patient.patientId)), {
    pixels: image.pixels,
    rows: image.rows,
    columns: image.columns,
    bitsStored: 12,
    pixelSpacing: image.pixelSpacing,
    modality: 'DX',
    seriesDescription: 'Synthetic lateral lumbar spine (spinesurv synth)',
    patientId: patient.patientId,
    patientName: `SYNTHETIC^${patient.patientId}`,
    viewPosition: 'LL',
    patientOrientation: ['P', 'F'],
    ...(job.site?.monochrome1 ? { photometric: 'MONOCHROME1' as const } : {}),
  });
  writeMask(join(job.dir, maskPath(patient.patientId)), image.labels, image.columns, image.rows);
  const extent = maskExtent(image.labels, image.columns);
  return {
    index: patient.index,
    rows: image.rows,
    columns: image.columns,
    pixelSpacing: image.pixelSpacing,
    keypoints: image.keypoints,
    bbox: extent.bbox,
    area: extent.area,
    rotationDeg: image.rotationDeg,
    magnification: image.magnification,
    collimated: image.collimated,
  };
}
