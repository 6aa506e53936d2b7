/**
 * What every reader returns, whatever the file: DICOM (any supported transfer syntax) or an ordinary
 * image file (PNG, JPEG, TIFF), which has no spacing and no window of its own.
 */
export type SpacingSource = 'PixelSpacing' | 'ImagerPixelSpacing' | 'ImagerPixelSpacing/ERMF';

export interface Radiograph {
  /**
   * Row-major values in the modality's units (Rescale Slope/Intercept applied). MONOCHROME1 images
   * are turned so that a higher value is brighter (bone bright): value -> (min + max of the possible
   * modality range) - value, once (a Presentation LUT Shape of INVERSE beside MONOCHROME1 says the
   * same thing again and is not applied a second time).
   */
  pixels: Float32Array;
  rows: number;
  columns: number;
  bitsStored: number;
  /** As stored in the file: MONOCHROME1, MONOCHROME2 (image files report MONOCHROME2). */
  photometric: string;
  /** When MONOCHROME1 was turned: pixels = inversion - (modality value); null otherwise. */
  inversion: number | null;
  /** Transfer Syntax UID for DICOM; 'png' | 'jpeg' | 'tiff' for image files. */
  transferSyntax: string;
  /** [row spacing, column spacing] in mm, or null when the file does not say. */
  pixelSpacing: [number, number] | null;
  spacingSource: SpacingSource | null;
  /** View Position (0018,5101), e.g. 'LL', 'AP'; null when absent. */
  viewPosition: string | null;
  /** Patient Orientation (0020,0020) values, e.g. ['P','F']; null when absent. */
  patientOrientation: string[] | null;
  /** Image Laterality (0020,0062) or Laterality (0020,0060); null when absent. */
  laterality: string | null;
  bodyPart: string | null;
  modality: string | null;
  /**
   * The display window in the same (bone-bright) values as `pixels`: the file's first VOI window,
   * otherwise the range of the values. For MONOCHROME1 the stored window is mirrored too.
   */
  window: { center: number; width: number; fromFile: boolean };
  /** Things worth knowing that did not stop the read (e.g. an unreadable spacing value). */
  warnings: string[];
  /** Identifying tags, present only when the caller asked for them (readRadiograph(path, { phi: true })). */
  phi?: Record<string, string>;
}
