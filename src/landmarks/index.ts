/**
 * The L1-L5 keypoint detector's public face (docs/landmarks.md): load a trained model and predict,
 * train one, evaluate predictions. The preprocess stage, the image models, `spinesurv predict`, the
 * study and the DICOM server call these.
 */
export { loadLandmarkModel, LandmarkModel, type LandmarkPrediction, type ModelJson, type Decoding } from './model.js';
export { trainLandmarkModel, loadInitWeights, type TrainLandmarkOptions, type TrainLandmarkResult, type TrainProgress, type FoldResult } from './train.js';
export {
  evaluateKeypoints, DEFAULT_SIGMAS, STRICT_SIGMAS, AREA_CHOICE,
  type KeypointEvaluation, type EvaluateOptions, type EvaluatedImage, type TruthForEvaluation,
} from './evaluate.js';
export { oksAp, oks, OKS_THRESHOLDS, type OksApResult, type GroundTruth, type Detection } from './oks-ap.js';
export { qualityFlags, MIN_CONFIDENCE, SPACING_LOW, SPACING_HIGH, MAX_TILT_DEG } from './flags.js';
export { readTruthFile, detectorTruth, readResultsFile, type KeypointResult, type DetectorTruth } from './coco.js';
export { predictFiles, readImageList, type ImageToPredict, type PredictFilesResult } from './predict-files.js';
export { HRNet, hrnetW32Config, type HRNetConfig, type StageConfig } from './hrnet.js';
export { cpuProfile, paperProfile, profileByName, type LandmarkProfile } from './profiles.js';
export { encodeHeatmaps, decodeHeatmaps, peakRefiner, type DecodedKeypoints } from './codec.js';
export { decodeJointly, peakCandidates, MAX_CANDIDATES, type JointDecoded, type JointDecodeOptions, type PeakCandidate } from './joint-decode.js';
export { letterbox, applyAffine, compose, invert, type Affine } from './geometry.js';
