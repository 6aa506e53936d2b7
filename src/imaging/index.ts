/**
 * The imaging library's public face: read radiographs (DICOM in the common transfer syntaxes, PNG,
 * JPEG, TIFF), write DICOM and greyscale PNG.
 */
export { writeDicom, encodeDicom, type DicomImageToWrite } from './dicom/dicom-writer.js';
export { writePng8, writePng16, encodePng8, encodePng16, encodePngRgb } from './image-files/png-writer.js';
export { HEAT_ALPHA, blendHeatmap, heatmapOverlayPng, rampColour, resampleHeatmap } from './heatmap-overlay.js';
export { SOP_CLASS, TRANSFER_SYNTAX, uidFromHash } from './dicom/uids.js';
export type { Radiograph, SpacingSource } from './radiograph.js';
export { readRadiograph, readRadiographBytes, type ReadOptions } from './read-radiograph.js';
export { readRadiographHeader, type HeaderReading, type RadiographHeader } from './read-radiograph-header.js';
export { RadiographReadError, type ReadFailureKind } from './read-error.js';
export { windowToBytes, modalityStatistics } from './display.js';
