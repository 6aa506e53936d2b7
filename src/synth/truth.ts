/**
 * truth.json: what only the generator knows. Every patient's true linear predictor (log hazard
 * ratio) and its parts, the best score available without the image, the latent density and
 * deformity, the uncensored event time; the generator's parameters and seed; and Harrell's C of the
 * true predictor ("oracle") and of the best clinical-only predictor on the test split (also train and
 * all), so a user sees how much the image can add.
 */
import { harrellC } from '../survival/concordance.js';
import type { GeneratorParams } from './params.js';
import type { SynthPatient } from './population.js';
import type { RenderedPatient } from './render-job.js';
import { KEYPOINT_NAMES } from '../keypoints/index.js';

export interface SplitConcordance {
  n: number;
  events: number;
  /** Harrell's C of the true linear predictor (null when the split has no events). */
  oracle_harrell: number | null;
  /** Harrell's C of the best clinical-only predictor: lp_clinical + log E[exp(lp_image) | clinical]. */
  clinical_only_harrell: number | null;
  /** Harrell's C of the clinical terms of the true model alone. */
  clinical_terms_harrell: number | null;
  /** Harrell's C of the frax_mof stand-in column. */
  frax_standin_harrell: number | null;
}

function splitConcordance(rows: SynthPatient[]): SplitConcordance {
  const time = rows.map((r) => r.outcome.followupYears);
  const event = rows.map((r) => r.outcome.fracture);
  const c = (score: number[]): number => (event.some((e) => e === 1) ? harrellC(time, event, score).c : NaN);
  const round = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);
  return {
    n: rows.length,
    events: event.filter((e) => e === 1).length,
    oracle_harrell: round(c(rows.map((r) => r.lp))),
    clinical_only_harrell: round(c(rows.map((r) => r.lpBestClinical))),
    clinical_terms_harrell: round(c(rows.map((r) => r.lpClinical))),
    frax_standin_harrell: round(c(rows.map((r) => r.fraxMof))),
  };
}

export function concordanceSummary(population: SynthPatient[]): { test: SplitConcordance; train: SplitConcordance; all: SplitConcordance } {
  return {
    test: splitConcordance(population.filter((p) => p.split === 'test')),
    train: splitConcordance(population.filter((p) => p.split === 'train')),
    all: splitConcordance(population),
  };
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function buildTruth(
  population: SynthPatient[],
  rendered: RenderedPatient[] | null,
  params: GeneratorParams,
  settings: { seed: number; patients: number; size: number; version: string },
): Record<string, unknown> {
  const summary = concordanceSummary(population);
  return {
    generator: 'spinesurv synth',
    version: settings.version,
    seed: settings.seed,
    patient_count: settings.patients,
    size: settings.size,
    oracle_harrell: summary.test.oracle_harrell,
    clinical_only_harrell: summary.test.clinical_only_harrell,
    concordance: summary,
    model: {
      linear_predictor: 'lp = lp_clinical + lp_image (log hazard ratio); see docs/synthetic-cohort.md',
      lp_clinical:
        'age_per_year*(age-age_centre) + female*[sex=F] + bmi_per_unit*(bmi-bmi_centre) + glucocorticoid*GC + secondary_osteoporosis*SecOP + rheumatoid_arthritis*RA + prior_fracture*PriorFx',
      lp_image: 'tscore*(latent_tscore - tscore_centre) + deformity*[mild prevalent deformity]',
      survival: 'S(t|x) = exp(-(t/weibull_scale)^weibull_shape * exp(lp)), t in years',
      censoring: 'C = censor_min + (censor_max - censor_min) * Beta(censor_beta_a, censor_beta_b), independent of everything else',
      best_clinical_predictor: 'lp_clinical + log E[exp(lp_image) | clinical data] (latent T-score ~ Normal(expected, residual_sd))',
      bmd_tscore_column: 'a DXA-like measurement at another site: measured_intercept + measured_slope * latent_tscore + Normal(0, measured_noise_sd)',
      frax_mof_column: 'STAND-IN, not FRAX: 100 * (1 - exp(-exp(s))) with s from the frax parameters',
    },
    parameters: params,
    patient_fields: {
      linear_predictor: 'true log hazard ratio',
      clinical_linear_predictor: 'the clinical terms of the true log hazard ratio',
      image_linear_predictor: 'the image-visible terms (latent density, deformity)',
      best_clinical_predictor: 'the best risk score without the image (see model.best_clinical_predictor)',
      latent_tscore: 'the lumbar bone density the radiograph shows',
      event_time_years: 'time to fracture before censoring',
      keypoints: 'L1..L5 body centres in pixels (as keypoints.json)',
    },
    patients: population.map((p, k) => {
      const r = rendered?.[k];
      return {
        patient_id: p.patientId,
        split: p.split,
        linear_predictor: r6(p.lp),
        clinical_linear_predictor: r6(p.lpClinical),
        image_linear_predictor: r6(p.lpImage),
        best_clinical_predictor: r6(p.lpBestClinical),
        latent_tscore: r6(p.latentTScore),
        deformity: p.deformity === null ? null : { level: KEYPOINT_NAMES[p.deformity.level], kind: p.deformity.kind, height_loss: r6(p.deformity.heightLoss) },
        event_time_years: r6(p.outcome.eventTime),
        censor_time_years: r6(p.outcome.censorTime),
        ...(r === undefined ? {} : { rotation_deg: r6(r.rotationDeg), magnification: r6(r.magnification), collimated: r.collimated }),
      };
    }),
  };
}
