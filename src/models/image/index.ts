/**
 * Image DeepSurv: the library face (the study runner and the DICOM server call these).
 * See docs/image-models.md.
 */
export { buildEncoder, ENCODER_ARCHS, type EncoderArch, type EncoderConfig } from './encoder.js';
export { loadTorchvisionInit } from './init-weights.js';
export { DEFAULT_IMAGE_CONFIG, CLINICAL_COLUMNS, validateImageConfig, type ImageModelConfig, type PatchPooling } from './config.js';
export { ImageSurvNetwork, type RiskNetwork } from './network.js';
export { EnsembleSurvNetwork } from './ensemble-network.js';
export { fitImageDeepSurv, trainImageMembers, trainImageMembersInProcesses, fuseImageModel, type ImageMembers, type FitImageOptions, type ImageTrainingRow } from './fit.js';
export { ImageModel, type ImageInputSpec, type ImageTrainingRecord, type EnsembleRecord } from './model.js';
export { saveImageModel, loadImageModel, parseImageModelJson, keypointModelPath, checkKeypointModelFolder, IMAGE_MODEL_KIND, IMAGE_MODEL_FORMAT_VERSION, type ImageModelJson } from './folder.js';
export { gradCam, gradCamFromMaps, type CamMaps } from './gradcam.js';
export { readVariantFolder, checkPreprocessParams, type VariantFolder, type VariantIndex, type ImageTransform } from './variant-folder.js';
export { readImageCohortRows } from './cohort-rows.js';
export { RadiographScorer, type ScoreRequest } from './radiograph-scorer.js';
export { outcomeFields, outcomeFromFields, type ScoreOutcome, type ScoredOutcome, type FlaggedOutcome, type FailedOutcome, type OutcomeFields } from './score-outcome.js';
export { scoreRadiograph, keypointProblems, refuseNotLateralLumbar, FlaggedRadiograph, NOT_A_LATERAL_LUMBAR_RADIOGRAPH, SURVIVAL_YEARS, type RadiographScore, type KeypointSet } from './score-radiograph.js';
