/**
 * One patient's lateral lumbar radiograph with its ground truth: the stored pixels, pixel spacing,
 * the L1-L5 body label map and the L1-L5 body centres in pixel coordinates. Depends only on the
 * patient, the image size and the cohort seed (its own random stream), so patients can be drawn in
 * any order or in parallel with identical bytes.
 */
import { streamRandom } from '../streams.js';
import type { Deformity } from '../deformity.js';
import { buildSpine } from './spine-geometry.js';
import { scratchCanvas } from './raster.js';
import { renderSoftTissue } from './soft-tissue.js';
import { renderAorticCalcification, renderBowelGas, renderIliacWings, renderMarker, renderRibs } from './distractors.js';
import { boneAppearance, renderBody, renderOsteophytes, renderPosteriorElements } from './vertebra.js';
import { choosePose, expose, gaussianBlur } from './acquisition.js';
import type { TextureBank } from './texture.js';
import type { AcquisitionShift } from '../sites.js';
import { applySiteShift, changesPixels } from './site-shift.js';

/** Field of view of the long (vertical) side; the short side is 0.8 of it. */
export const FIELD_HEIGHT_MM = 350;
export const ASPECT = 0.8;

export interface RadiographPatient {
  index: number;
  sex: 'F' | 'M';
  age: number;
  bmi: number;
  latentTScore: number;
  deformity: Deformity | null;
}

export interface Radiograph {
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm, as DICOM PixelSpacing. */
  pixelSpacing: [number, number];
  pixels: Uint16Array;
  /** 0 background, 1..5 = L1..L5 bodies. */
  labels: Uint8Array;
  /** L1..L5 body centres as [x, y] pixel coordinates (pixel centres at integers). */
  keypoints: [number, number][];
  rotationDeg: number;
  magnification: number;
  collimated: boolean;
}

export function imageShape(size: number, fieldMm = FIELD_HEIGHT_MM): { rows: number; columns: number; pixelMm: number } {
  return { rows: size, columns: Math.round(size * ASPECT), pixelMm: fieldMm / size };
}

/** `site`: another synthetic site's acquisition (sites.ts); without it, the default site's bytes. */
export function renderRadiograph(p: RadiographPatient, size: number, seed: number, bank: TextureBank, site?: AcquisitionShift): Radiograph {
  const rng = streamRandom(seed, 'render', p.index);
  const { rows, columns, pixelMm } = imageShape(size, site?.fieldMm);
  const anatomy = buildSpine(p, rng.fork());
  const { pose, rotationDeg, magnification } = choosePose(anatomy, columns, rows, pixelMm, rng.fork(), site?.rotationDeg ?? 0);
  const canvas = scratchCanvas(columns, rows);
  const pixelMmAnatomy = pixelMm / magnification;
  renderSoftTissue(canvas, pose, anatomy, p.bmi, pixelMmAnatomy, rng.fork());
  renderIliacWings(canvas, pose, anatomy, rng.fork());
  renderRibs(canvas, pose, anatomy, rng.fork());
  const look = boneAppearance(p.latentTScore);
  const elementsRng = rng.fork();
  for (const b of anatomy.bodies) renderPosteriorElements(canvas, pose, b, look, elementsRng);
  const labels = new Uint8Array(columns * rows);
  const keypoints: [number, number][] = [];
  const bodyRng = rng.fork();
  for (const b of anatomy.bodies) {
    const { centre } = renderBody(canvas, pose, b, look, bank, pixelMmAnatomy, bodyRng, b.lumbarIndex === null ? null : labels);
    if (b.lumbarIndex !== null) keypoints.push(centre);
  }
  const spurRng = rng.fork();
  for (const b of anatomy.bodies) renderOsteophytes(canvas, pose, b, p.age, look, spurRng);
  renderAorticCalcification(canvas, pose, anatomy, p.age, rng.fork());
  renderBowelGas(canvas, pose, anatomy, bank, rng.fork());
  renderMarker(canvas, pixelMm, rng.fork());
  const acquisitionRng = rng.fork();
  gaussianBlur(canvas, acquisitionRng.between(0.2, 0.45) / pixelMm);
  const { pixels, info } = expose(canvas, p.bmi, acquisitionRng);
  if (site && changesPixels(site)) applySiteShift(pixels, site, streamRandom(seed, 'site', p.index));
  return {
    rows,
    columns,
    pixelSpacing: [pixelMm, pixelMm],
    pixels,
    labels,
    keypoints,
    rotationDeg,
    magnification,
    collimated: info.collimated,
  };
}
