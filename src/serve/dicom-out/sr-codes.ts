/**
 * The codes of the fracture-risk report. Standard DICOM (DCM), and UCUM for units, where a code for
 * the concept exists; the rest in the project's private scheme 99SPINESURV ("99" prefix: a private
 * coding scheme, PS3.16 8.2), which the report declares in its Coding Scheme Identification Sequence.
 */
import { KEYPOINT_NAMES } from '../../keypoints/index.js';
import type { Code } from './sr-content.js';

export const PRIVATE_SCHEME = '99SPINESURV';

const own = (value: string, meaning: string): Code => ({ value, scheme: PRIVATE_SCHEME, meaning });

export const CODES = {
  // The report and its measurements (no standard code exists for a model's fracture risk).
  report: own('VFRISK', 'Vertebral fracture risk'),
  logHazardRatio: own('LOGHR', 'Log hazard ratio of vertebral fracture'),
  survival: {
    '1': own('SURV1Y', 'Fracture-free survival at 1 year'),
    '3': own('SURV3Y', 'Fracture-free survival at 3 years'),
    '5': own('SURV5Y', 'Fracture-free survival at 5 years'),
  } as Record<string, Code>,
  percentile: own('RISKPCTL', 'Risk percentile among training patients'),
  keypoint: KEYPOINT_NAMES.map((l) => own(`${l}CENTRE`, `${l} vertebral body centre`)),
  flag: own('QUALFLAG', 'Keypoint quality flag'),
  warning: own('RESWARN', 'Result warning'),
  intendedUse: own('INTENDUSE', 'Intended use'),
  // DICOM (PS3.16): observer context (TID 1002/1004) and algorithm identification (TID 4019).
  observerType: { value: '121005', scheme: 'DCM', meaning: 'Observer Type' },
  device: { value: '121007', scheme: 'DCM', meaning: 'Device' },
  deviceObserverUid: { value: '121012', scheme: 'DCM', meaning: 'Device Observer UID' },
  deviceObserverName: { value: '121013', scheme: 'DCM', meaning: 'Device Observer Name' },
  algorithmName: { value: '111001', scheme: 'DCM', meaning: 'Algorithm Name' },
  algorithmVersion: { value: '111003', scheme: 'DCM', meaning: 'Algorithm Version' },
  sourceOfMeasurement: { value: '121112', scheme: 'DCM', meaning: 'Source of Measurement' },
  // UCUM units.
  noUnits: { value: '1', scheme: 'UCUM', meaning: 'no units' },
  percent: { value: '%', scheme: 'UCUM', meaning: 'percent' },
} as const;

/** Coding Scheme Identification Sequence entries (PS3.3 C.12.1.1.3): name, UID, responsible body. */
export const CODING_SCHEMES: { designator: string; uid?: string; name: string; organization?: string }[] = [
  { designator: 'DCM', uid: '1.2.840.10008.2.16.4', name: 'DICOM Controlled Terminology' },
  { designator: 'UCUM', uid: '2.16.840.1.113883.6.8', name: 'Unified Code for Units of Measure' },
  { designator: PRIVATE_SCHEME, name: 'spinesurv vertebral fracture risk codes', organization: 'spinesurv project' },
];
