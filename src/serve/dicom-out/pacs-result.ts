/**
 * The score that goes back to the PACS, and its wording. One sentence says it for the burned-in
 * capture; the structured report carries the same numbers as coded measurements.
 */
import type { ScoredOutcome } from '../../models/image/score-outcome.js';
import { InputError } from '../../util/errors.js';

/**
 * What the PACS is sent of a scored outcome: the numbers, the keypoints the model's input was cut at
 * (COCO pixels on the radiograph, top-left pixel centre at 0.5, 0.5), the warnings, and the model
 * version and time that make the results' identity and content date (UTC). Flags are reasons to doubt
 * the result: the SR lists them (or "none").
 */
export type PacsResult = Pick<ScoredOutcome, 'risk' | 'surv' | 'percentile' | 'keypoints' | 'warnings' | 'modelVersion' | 'scoredAt'> & { flags: string[] };

/** The PACS's result of a scored outcome; a scored outcome carries no flags (flags stop a score). */
export function pacsResult(outcome: ScoredOutcome): PacsResult {
  const { risk, surv, percentile, keypoints, warnings, modelVersion, scoredAt } = outcome;
  return { risk, surv, percentile, keypoints, flags: [], warnings, modelVersion, scoredAt };
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
