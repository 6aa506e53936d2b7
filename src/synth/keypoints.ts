/**
 * Ground-truth keypoints in COCO format: one category "lumbar_spine" with keypoints L1..L5 (the
 * vertebral body centres), one image entry per DICOM file (file_name relative to the cohort folder)
 * and one annotation per image. Coordinates are pixels with the centre of the top-left pixel at
 * (0, 0): x is the column, y the row. Every keypoint is visible (v = 2). bbox and area describe the
 * L1-L5 body masks (area = number of mask pixels), which OKS uses as the object scale.
 */
import { KEYPOINT_NAMES } from '../keypoints/index.js';
import type { RenderedPatient } from './render-job.js';

export interface CocoKeypoints {
  info: Record<string, string | number>;
  images: { id: number; file_name: string; width: number; height: number; patient_id: string; pixel_spacing: [number, number] }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    keypoints: number[];
    num_keypoints: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0;
  }[];
  categories: { id: number; name: string; supercategory: string; keypoints: string[]; skeleton: [number, number][] }[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function cocoKeypoints(entries: { patientId: string; file: string; rendered: RenderedPatient }[], version: string): CocoKeypoints {
  const coco: CocoKeypoints = {
    info: {
      description: 'spinesurv synthetic cohort: L1-L5 vertebral body centres',
      version,
      coordinates: 'pixels; the centre of the top-left pixel is (0, 0); x = column, y = row',
    },
    images: [],
    annotations: [],
    categories: [
      {
        id: 1,
        name: 'lumbar_spine',
        supercategory: 'spine',
        keypoints: [...KEYPOINT_NAMES],
        skeleton: [
          [1, 2],
          [2, 3],
          [3, 4],
          [4, 5],
        ],
      },
    ],
  };
  entries.forEach(({ patientId, file, rendered }, k) => {
    const id = k + 1;
    coco.images.push({ id, file_name: file, width: rendered.columns, height: rendered.rows, patient_id: patientId, pixel_spacing: rendered.pixelSpacing });
    const keypoints: number[] = [];
    for (const [x, y] of rendered.keypoints) keypoints.push(round2(x), round2(y), 2);
    coco.annotations.push({
      id,
      image_id: id,
      category_id: 1,
      keypoints,
      num_keypoints: rendered.keypoints.length,
      bbox: (rendered.bbox ?? [0, 0, 0, 0]).map(round2) as [number, number, number, number],
      area: rendered.area,
      iscrowd: 0,
    });
  });
  return coco;
}
