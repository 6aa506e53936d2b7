/**
 * The result as measurements a PACS, a reporting system or another program can read: a
 * Comprehensive SR (PS3.3 A.35.3) in the source radiograph's study. Its tree:
 *
 *   CONTAINER  Vertebral fracture risk
 *     HAS OBS CONTEXT  Observer Type = Device; Device Observer UID; Device Observer Name
 *     HAS CONCEPT MOD  Algorithm Name; Algorithm Version (the model version)
 *     CONTAINS  IMAGE  Source of Measurement (the radiograph)
 *     CONTAINS  NUM    log hazard ratio {1}; survival at 1, 3, 5 years {%}; percentile {%}
 *     CONTAINS  SCOORD POINT  L1..L5 centres, each SELECTED FROM the radiograph
 *     CONTAINS  TEXT   quality flags (or "none"); result warnings (e.g. an age outside the training
 *                      range: the risk is an extrapolation), one item each, none when there are none;
 *                      intended use
 *
 * Completion flag COMPLETE (the tree holds all it ever will), verification flag UNVERIFIED (no person
 * has signed it: it is a device's output).
 */
import { IMPLEMENTATION_CLASS_UID } from '../../imaging/dicom/uids.js';
import { sequence, text, type Element } from '../../imaging/dicom/element-encoder.js';
import { checkPacsResult, SURVIVAL_HORIZONS, type PacsResult } from './pacs-result.js';
import { commonResultElements, part10 } from './result-identity.js';
import type { SourceHeader } from './source-header.js';
import { CODES, CODING_SCHEMES } from './sr-codes.js';
import { codeValueItem, container, imageItem, numItem, pointItem, textItem, uidRefItem, type ContentItem } from './sr-content.js';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';

export const ALGORITHM_NAME = 'spinesurv DeepSurv image survival model';
export const INTENDED_USE = 'Decision support for opportunistic screening; not for diagnosis alone.';

export interface StructuredReportInput {
  source: SourceHeader;
  result: PacsResult;
}

/** Rounded for the report: percentages to 0.01, the log hazard ratio to 1e-6. */
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function buildStructuredReport(input: StructuredReportInput): Uint8Array {
  const { source, result } = input;
  checkPacsResult(result, 'structured report');
  // The report is written in the source's character set (its patient attributes are copied as bytes).
  // Our own text is UTF-8: fine under ISO_IR 192; under any other set, non-ASCII letters become "?".
  const utf8 = /ISO_IR 192/.test(source.specificCharacterSet ?? '');
  const ownText = (t: string): string => (utf8 ? t : t.replace(/[^\x20-\x7e]/g, '?'));
  const sourceImage = (relationship: 'CONTAINS' | 'SELECTED FROM'): ContentItem =>
    imageItem(relationship, CODES.sourceOfMeasurement, source.sopClassUid, source.sopInstanceUid);

  const children: ContentItem[] = [
    codeValueItem('HAS OBS CONTEXT', CODES.observerType, CODES.device),
    uidRefItem('HAS OBS CONTEXT', CODES.deviceObserverUid, IMPLEMENTATION_CLASS_UID),
    textItem('HAS OBS CONTEXT', CODES.deviceObserverName, 'spinesurv'),
    textItem('HAS CONCEPT MOD', CODES.algorithmName, ALGORITHM_NAME),
    textItem('HAS CONCEPT MOD', CODES.algorithmVersion, result.modelVersion),
    sourceImage('CONTAINS'),
    numItem('CONTAINS', CODES.logHazardRatio, round(result.risk, 6), CODES.noUnits),
    ...SURVIVAL_HORIZONS.map((t) => numItem('CONTAINS', CODES.survival[t], round(100 * result.surv[t], 2), CODES.percent)),
    numItem('CONTAINS', CODES.percentile, round(result.percentile, 2), CODES.percent),
    ...CODES.keypoint.map((code, k) => pointItem('CONTAINS', code, result.keypoints[2 * k], result.keypoints[2 * k + 1], sourceImage('SELECTED FROM'))),
    ...(result.flags.length > 0 ? result.flags : ['none']).map((flag) => textItem('CONTAINS', CODES.flag, ownText(flag))),
    ...result.warnings.map((warning) => textItem('CONTAINS', CODES.warning, ownText(warning))),
    textItem('CONTAINS', CODES.intendedUse, INTENDED_USE),
  ];

  const elements: Element[] = [
    ...commonResultElements('structured-report', COMPREHENSIVE_SR_SOP_CLASS, source, result, 'spinesurv fracture risk report'),
    text(0x0008, 0x0060, 'CS', 'SR'),
    sequence(0x0008, 0x0110, CODING_SCHEMES.map((s) => [
      text(0x0008, 0x0102, 'SH', s.designator),
      ...(s.uid !== undefined ? [text(0x0008, 0x010c, 'UI', s.uid)] : []),
      text(0x0008, 0x0115, 'ST', s.name),
      ...(s.organization !== undefined ? [text(0x0008, 0x0116, 'ST', s.organization)] : []),
    ])),
    // SR Document Series: no performed procedure step is known to a node that only received an image.
    sequence(0x0008, 0x1111, []),
    text(0x0040, 0xa491, 'CS', 'COMPLETE'),
    text(0x0040, 0xa493, 'CS', 'UNVERIFIED'),
    sequence(0x0040, 0xa372, []),
    // The evidence the report rests on: the source radiograph.
    sequence(0x0040, 0xa375, [[
      sequence(0x0008, 0x1115, [[
        sequence(0x0008, 0x1199, [[text(0x0008, 0x1150, 'UI', source.sopClassUid), text(0x0008, 0x1155, 'UI', source.sopInstanceUid)]]),
        text(0x0020, 0x000e, 'UI', source.seriesInstanceUid),
      ]]),
      text(0x0020, 0x000d, 'UI', source.studyInstanceUid),
    ]]),
    ...container(null, CODES.report, children),
  ];
  return part10(elements);
}
