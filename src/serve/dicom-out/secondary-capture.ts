/**
 * The result as a picture for any PACS viewer: a Secondary Capture Image (PS3.3 A.8.1) in RGB,
 * placed in the source radiograph's study as a new series, marked as derived from that image
 * (Source Image Sequence) with its annotation burned in. Single-frame RGB is the plain SC IOD's
 * own form (8 bits, interleaved), which every viewer shows.
 */
import { SOP_CLASS } from '../../imaging/dicom/uids.js';
import { binary, sequence, text, uint16, type Element } from '../../imaging/dicom/element-encoder.js';
import { checkPacsResult, type PacsResult } from './pacs-result.js';
import { commonResultElements, part10 } from './result-identity.js';
import type { SourceHeader } from './source-header.js';

export const SECONDARY_CAPTURE_SOP_CLASS = SOP_CLASS.OT;

export interface SecondaryCaptureInput {
  source: SourceHeader;
  /** Interleaved 8-bit RGB, rows * columns * 3 (renderResultImage makes it). */
  rgb: Uint8Array;
  rows: number;
  columns: number;
  result: PacsResult;
}

/** CID 7202 "Source Image Purposes of Reference". */
const SOURCE_FOR_PROCESSING = { value: '121322', scheme: 'DCM', meaning: 'Source image for image processing operation' };

export function buildSecondaryCapture(input: SecondaryCaptureInput): Uint8Array {
  const { source, rgb, rows, columns, result } = input;
  checkPacsResult(result, `secondary capture of ${source.sopInstanceUid}`);
  for (const [name, v] of [['rows', rows], ['columns', columns]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new RangeError(`buildSecondaryCapture: ${name} must be an integer in 1..65535, got ${v}`);
  }
  if (rgb.length !== rows * columns * 3) {
    throw new RangeError(`buildSecondaryCapture: rgb has ${rgb.length} bytes, expected rows * columns * 3 = ${rows * columns * 3}`);
  }
  const elements: Element[] = [
    ...commonResultElements('secondary-capture', SECONDARY_CAPTURE_SOP_CLASS, source, result, 'spinesurv fracture risk (keypoints, heatmap, risk)'),
    text(0x0008, 0x0008, 'CS', ['DERIVED', 'SECONDARY']),
    text(0x0008, 0x0060, 'CS', 'OT'),
    text(0x0008, 0x0064, 'CS', 'WSD'),
    text(0x0008, 0x2111, 'ST', 'Radiograph in its display window with the Grad-CAM heatmap, the L1-L5 keypoints and the fracture risk burned in by spinesurv'),
    sequence(0x0008, 0x2112, [[
      text(0x0008, 0x1150, 'UI', source.sopClassUid),
      text(0x0008, 0x1155, 'UI', source.sopInstanceUid),
      sequence(0x0040, 0xa170, [[
        text(0x0008, 0x0100, 'SH', SOURCE_FOR_PROCESSING.value),
        text(0x0008, 0x0102, 'SH', SOURCE_FOR_PROCESSING.scheme),
        text(0x0008, 0x0104, 'LO', SOURCE_FOR_PROCESSING.meaning),
      ]]),
    ]]),
    text(0x0018, 0x0015, 'CS', 'LSPINE'),
    text(0x0018, 0x1016, 'LO', 'spinesurv'),
    text(0x0018, 0x1018, 'LO', 'spinesurv serve'),
    // The capture keeps the radiograph's pixel grid, so its orientation is the source's.
    text(0x0020, 0x0020, 'CS', source.patientOrientation ?? ''),
    uint16(0x0028, 0x0002, 3),
    text(0x0028, 0x0004, 'CS', 'RGB'),
    uint16(0x0028, 0x0006, 0),
    uint16(0x0028, 0x0010, rows),
    uint16(0x0028, 0x0011, columns),
    uint16(0x0028, 0x0100, 8),
    uint16(0x0028, 0x0101, 8),
    uint16(0x0028, 0x0102, 7),
    uint16(0x0028, 0x0103, 0),
    text(0x0028, 0x0301, 'CS', 'YES'),
    text(0x0028, 0x2110, 'CS', '00'),
    binary(0x7fe0, 0x0010, 'OB', rgb),
  ];
  return part10(elements);
}
