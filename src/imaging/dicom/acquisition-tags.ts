/**
 * The header fields that say what a radiograph shows (modality, body part, view), read the same way by
 * the full reader and by the header-only reader that `cohort check` uses.
 */
import type { Radiograph } from '../radiograph.js';
import { textOf, textValuesOf, type DataSet } from './parse-dicom.js';

export type AcquisitionTags = Pick<Radiograph, 'viewPosition' | 'patientOrientation' | 'laterality' | 'bodyPart' | 'modality'>;

export function acquisitionTags(dataSet: DataSet): AcquisitionTags {
  const orientation = textValuesOf(dataSet, 'x00200020')?.filter((s) => s !== '') ?? null;
  return {
    viewPosition: textOf(dataSet, 'x00185101') ?? null,
    patientOrientation: orientation === null || orientation.length === 0 ? null : orientation,
    laterality: textOf(dataSet, 'x00200062') ?? textOf(dataSet, 'x00200060') ?? null,
    bodyPart: textOf(dataSet, 'x00180015') ?? null,
    modality: textOf(dataSet, 'x00080060') ?? null,
  };
}
