/**
 * A trained keypoint detector: the HRNet, its profile and the codec settings, saved as a model folder
 * (model.json + weights.safetensors) and used through predict(radiographs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Radiograph } from '../imaging/radiograph.js';
import { decodeSafetensors, noGrad, scope, type Tensor } from '../torch/index.js';
import { encodeSafetensors } from '../torch/safetensors.js';
import { InputError } from '../util/errors.js';
import { toolVersion } from '../util/tool-version.js';
import { KEYPOINT_NAMES, NUM_KEYPOINTS } from '../keypoints/index.js';
import { decodeHeatmaps } from './codec.js';
import { DEFAULT_SIGMAS, AREA_CHOICE } from './evaluate.js';
import { MIN_CONFIDENCE, qualityFlags } from './flags.js';
import { decodeJointly } from './joint-decode.js';
import { applyAffine, compose, inputToHeatmap, invert, letterbox } from './geometry.js';
import { HRNet, type HRNetConfig } from './hrnet.js';
import { inputBatch, prepareImage, type PreparedImage } from './image-input.js';
import type { LandmarkProfile } from './profiles.js';

export const MODEL_KIND = 'spinesurv-landmarks';
export const FORMAT_VERSION = 1;

export interface LandmarkPrediction {
  /** x1, y1, ..., x5, y5 in the original image's pixels (COCO: centre of the top-left pixel at 0.5, 0.5). */
  keypoints: Float64Array;
  /** Per keypoint, in [0, 1]. */
  confidence: number[];
  /** Mean confidence. */
  score: number;
  flags: string[];
}

/**
 * How the five heatmaps become points: 'joint' (the default) chooses among each heatmap's strongest
 * peaks the chain the plausibility rules accept (joint-decode.ts); 'independent' takes each heatmap's
 * maximum on its own, as before joint decoding (kept for comparison in bench/landmarks/joint-decode.ts).
 */
export type Decoding = 'joint' | 'independent';

/** Problems that another choice of peaks can repair: two centres on one vertebra, or out of order. */
const REPAIRABLE = (flag: string): boolean => flag.startsWith('spacing:') || flag.startsWith('order:');

export interface ModelJson {
  kind: typeof MODEL_KIND;
  format_version: number;
  profile: string;
  input_size: number;
  stride: number;
  heatmap_size: number;
  sigma: number;
  width: number;
  network: HRNetConfig;
  keypoints: string[];
  oks: { sigmas: number[]; area: string };
  training: Record<string, unknown>;
  tool_version: string;
}

/** The network's input from images in [0, 1]: centred and scaled to roughly unit spread. */
export function networkInput(x: Tensor): Tensor {
  return x.sub(0.5).mul(4);
}

export class LandmarkModel {
  private disposed = false;
  constructor(readonly net: HRNet, readonly meta: ModelJson) {
    net.eval();
  }

  get inputSize(): number {
    return this.meta.input_size;
  }

  /** Predicts already reduced images (the training loop's validation uses this path too). */
  predictPrepared(images: PreparedImage[], batchSize = 8, decoding: Decoding = 'joint'): LandmarkPrediction[] {
    return this.predictDecodings(images, [decoding], batchSize)[0]!;
  }

  /** One network pass, decoded each way asked: one list of predictions per decoding, in that order. */
  predictDecodings(images: PreparedImage[], decodings: readonly Decoding[], batchSize = 8): LandmarkPrediction[][] {
    if (this.disposed) throw new Error('LandmarkModel was disposed');
    const size = this.meta.input_size, stride = this.meta.stride, hs = size / stride;
    const out: LandmarkPrediction[][] = decodings.map(() => []);
    this.net.eval();
    for (let start = 0; start < images.length; start += batchSize) {
      const batch = images.slice(start, start + batchSize);
      const maps = batch.map((img) => letterbox(img.columns, img.rows, size));
      const heat = scope(() => noGrad(() => {
        const x = inputBatch(batch, maps, size);
        return this.net.forward(networkInput(x));
      }));
      const values = heat.toFloat32Array();
      heat.dispose();
      batch.forEach((_, b) => {
        const per = NUM_KEYPOINTS * hs * hs;
        const heatmaps = values.subarray(b * per, (b + 1) * per);
        const shape = { width: hs, height: hs };
        const back = invert(compose(inputToHeatmap(stride), maps[b]!));
        decodings.forEach((decoding, d) => {
          // The rules read the same in heatmap coordinates: the map back is a uniform scale and a shift.
          const decoded = decoding === 'joint'
            ? decodeJointly(heatmaps, NUM_KEYPOINTS, shape, this.meta.sigma, { problems: qualityFlags, repairable: REPAIRABLE, floor: MIN_CONFIDENCE })
            : decodeHeatmaps(heatmaps, NUM_KEYPOINTS, shape, this.meta.sigma);
          const keypoints = new Float64Array(2 * NUM_KEYPOINTS);
          for (let k = 0; k < NUM_KEYPOINTS; k++) {
            const [x, y] = applyAffine(back, decoded.points[2 * k]!, decoded.points[2 * k + 1]!);
            keypoints[2 * k] = x;
            keypoints[2 * k + 1] = y;
          }
          const score = decoded.confidence.reduce((s, c) => s + c, 0) / NUM_KEYPOINTS;
          out[d]!.push({ keypoints, confidence: decoded.confidence, score, flags: qualityFlags(keypoints, decoded.confidence) });
        });
      });
    }
    return out;
  }

  /** Batched inference; every tensor made here is freed before it returns. */
  predict(images: Radiograph[]): LandmarkPrediction[] {
    return this.predictPrepared(images.map((r) => prepareImage(r, this.meta.input_size)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.net.dispose();
  }
}

export function modelJson(profile: LandmarkProfile, training: Record<string, unknown>): ModelJson {
  return {
    kind: MODEL_KIND, format_version: FORMAT_VERSION, profile: profile.name, input_size: profile.inputSize, stride: profile.stride,
    heatmap_size: profile.inputSize / profile.stride, sigma: profile.sigma, width: profile.network.width, network: profile.network,
    keypoints: [...KEYPOINT_NAMES], oks: { sigmas: DEFAULT_SIGMAS, area: AREA_CHOICE }, training, tool_version: toolVersion(),
  };
}

/** Writes model.json and weights.safetensors into dir (a folder being filled by writeDirAtomic). */
export function writeModelFiles(dir: string, net: HRNet, meta: ModelJson, write: (path: string, data: string | Uint8Array) => void): void {
  write(join(dir, 'weights.safetensors'), encodeSafetensors(net.stateDict(), { kind: MODEL_KIND }));
  write(join(dir, 'model.json'), JSON.stringify(meta, null, 2) + '\n');
}

function checkMeta(path: string, meta: unknown): ModelJson {
  const m = meta as Partial<ModelJson> | null;
  if (typeof m !== 'object' || m === null || m.kind !== MODEL_KIND) throw new InputError(`${path}: not a spinesurv landmarks model (kind is not "${MODEL_KIND}")`);
  if (m.format_version !== FORMAT_VERSION) throw new InputError(`${path}: format_version ${String(m.format_version)} is not supported (this spinesurv reads ${FORMAT_VERSION})`);
  const n = m.network;
  if (typeof m.input_size !== 'number' || typeof m.stride !== 'number' || typeof m.sigma !== 'number' || typeof n !== 'object' || n === null
    || !Array.isArray(n.stages) || n.stages.length !== 3) {
    throw new InputError(`${path}: input_size, stride, sigma or network is missing or malformed`);
  }
  return m as ModelJson;
}

export async function loadLandmarkModel(dir: string): Promise<LandmarkModel> {
  const jsonPath = join(dir, 'model.json');
  const weightsPath = join(dir, 'weights.safetensors');
  if (!existsSync(jsonPath)) throw new InputError(`${jsonPath}: missing (not a landmarks model folder)`);
  let meta: ModelJson;
  try {
    meta = checkMeta(jsonPath, JSON.parse(readFileSync(jsonPath, 'utf8')));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${jsonPath}: cannot be read as JSON (${(error as Error).message})`);
  }
  if (!existsSync(weightsPath)) throw new InputError(`${weightsPath}: missing`);
  const net = new HRNet(meta.network);
  let tensors: Map<string, Tensor> | undefined;
  try {
    tensors = decodeSafetensors(readFileSync(weightsPath), weightsPath).tensors;
    net.loadStateDict(tensors, true);
  } catch (error) {
    net.dispose();
    if (error instanceof InputError) throw error;
    throw new InputError(`${weightsPath}: not usable weights for this model (${(error as Error).message})`);
  } finally {
    if (tensors !== undefined) for (const t of tensors.values()) t.dispose();
  }
  return new LandmarkModel(net, meta);
}
