/**
 * The score that goes back to the PACS, and its wording. One sentence says it for the burned-in
 * capture; the structured report carries the same numbers as coded measurements.
 */
import { InputError } from '../../util/errors.js';

export interface PacsResult {
  /** Log hazard ratio. */
  risk: number;
  /** Fracture-free survival probability (0..1) at "1", "3" and "5" years. */
  surv: Record<string, number>;
  /** Percentile (0..100) of the risk among the model's training patients. */
  percentile: number;
  /** x1, y1, ..., x5, y5 (L1..L5), COCO pixels on the radiograph (top-left pixel centre at 0.5, 0.5). */
  keypoints: number[];
  /** Reasons to doubt the result (the detector's flags); empty when none. */
  flags: string[];
  /** Reasons to read the score with care (e.g. a clinical value outside the training range); empty when none. */
  warnings: string[];
  /** The model version (sha256 prefix of the model folder) that made the score. */
  modelVersion: string;
  /** When the score was made, ISO 8601: the results' content date and time (UTC). */
  scoredAt: string;
}

export const SURVIVAL_HORIZONS = ['1', '3', '5'] as const;

/** Refuses a result that cannot be written truthfully, naming the field. */
export function checkPacsResult(result: PacsResult, where: string): void {
  const fail = (field: string, why: string): never => {
    throw new InputError(`${where}: result field ${field} ${why}`);
  };
  if (!Number.isFinite(result.risk)) fail('risk', 'is not a finite number');
  for (const t of SURVIVAL_HORIZONS) {
    const s = result.surv?.[t];
    if (typeof s !== 'number' || !(s >= 0 && s <= 1)) fail(`surv["${t}"]`, 'must be a probability in 0..1');
  }
  if (!(result.percentile >= 0 && result.percentile <= 100)) fail('percentile', 'must be in 0..100');
  if (!Array.isArray(result.keypoints) || result.keypoints.length !== 10 || !result.keypoints.every(Number.isFinite)) {
    fail('keypoints', 'must be 10 finite numbers (x, y for L1..L5)');
  }
  if (!Array.isArray(result.flags) || !result.flags.every((f) => typeof f === 'string')) fail('flags', 'must be a list of strings');
  if (!Array.isArray(result.warnings) || !result.warnings.every((w) => typeof w === 'string')) fail('warnings', 'must be a list of strings');
  if (typeof result.modelVersion !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(result.modelVersion)) {
    fail('modelVersion', 'must be 1-64 letters, digits, dots, dashes or underscores');
  }
  if (Number.isNaN(Date.parse(result.scoredAt))) fail('scoredAt', 'is not an ISO 8601 date and time');
}

export function formatPercent(p: number): string {
  return `${Math.round(100 * p)}%`;
}

/** The risk in words, as burned into the secondary capture (one paragraph; the renderer wraps it). */
export function riskSentence(result: PacsResult): string {
  const s = result.surv;
  const lines = [
    `Vertebral fracture risk: 5-year fracture-free survival ${formatPercent(s['5'])} ` +
      `(percentile ${Math.round(result.percentile)} among training patients); ` +
      `1-year ${formatPercent(s['1'])}, 3-year ${formatPercent(s['3'])}; log hazard ratio ${result.risk.toFixed(2)}.`,
  ];
  if (result.flags.length > 0) lines.push(`Flags: ${result.flags.join('; ')}.`);
  if (result.warnings.length > 0) lines.push(`Warning: ${result.warnings.join('; ')}.`);
  lines.push(`Model ${result.modelVersion} (spinesurv); not for diagnosis alone.`);
  return lines.join('\n');
}

/** DICOM DA, TM and the UTC offset of an ISO 8601 instant, written in UTC. */
export function dicomDateTime(iso: string): { date: string; time: string; offset: string } {
  const d = new Date(iso);
  const two = (n: number): string => String(n).padStart(2, '0');
  return {
    date: `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`,
    time: `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`,
    offset: '+0000',
  };
}
