/**
 * Functional ops (exported as the namespace F), with PyTorch's torch.nn.functional defaults.
 * Sizes given as one number mean the same value for height and width.
 */
import { native } from './native.js';
import { wrap, type Tensor } from './tensor.js';

export type Pair = number | [number, number];
export type Reduction = 'mean' | 'sum' | 'none';

/** (height, width) from a size given as one number (both) or as the pair itself. */
export function pair(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** x W^T + b (torch.nn.functional.linear). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return wrap(native.linear(x.handle, weight.handle, bias?.handle ?? null));
}

export interface ConvOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return wrap(native.conv2d(x.handle, weight.handle, bias?.handle ?? null, pair(opts.stride ?? 1), pair(opts.padding ?? 0),
    pair(opts.dilation ?? 1), opts.groups ?? 1));
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: Pair;
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return wrap(native.convTranspose2d(x.handle, weight.handle, bias?.handle ?? null, pair(opts.stride ?? 1),
    pair(opts.padding ?? 0), pair(opts.outputPadding ?? 0), opts.groups ?? 1, pair(opts.dilation ?? 1)));
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch normalisation; with training, runningMean/runningVar are updated in place. */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  return wrap(native.batchNorm(x.handle, runningMean?.handle ?? null, runningVar?.handle ?? null, opts.weight?.handle ?? null,
    opts.bias?.handle ?? null, opts.training ?? false, opts.momentum ?? 0.1, opts.eps ?? 1e-5));
}

export function layerNorm(x: Tensor, normalizedShape: number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return wrap(native.layerNorm(x.handle, normalizedShape, weight?.handle ?? null, bias?.handle ?? null, eps));
}

export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return wrap(native.groupNorm(x.handle, numGroups, weight?.handle ?? null, bias?.handle ?? null, eps));
}

export interface PoolOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

export function maxPool2d(x: Tensor, kernelSize: Pair, opts: PoolOptions = {}): Tensor {
  return wrap(native.maxPool2d(x.handle, pair(kernelSize), pair(opts.stride ?? kernelSize), pair(opts.padding ?? 0),
    pair(opts.dilation ?? 1), opts.ceilMode ?? false));
}

export function avgPool2d(x: Tensor, kernelSize: Pair, opts: PoolOptions = {}): Tensor {
  return wrap(native.avgPool2d(x.handle, pair(kernelSize), pair(opts.stride ?? kernelSize), pair(opts.padding ?? 0),
    opts.ceilMode ?? false, opts.countIncludePad ?? true));
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return wrap(native.adaptiveAvgPool2d(x.handle, pair(outputSize)));
}

export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor {
  return wrap(native.adaptiveMaxPool2d(x.handle, pair(outputSize)));
}

/** Zeroes elements with probability p and scales the rest by 1/(1-p) when training. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return wrap(native.dropout(x.handle, p, training));
}

export interface InterpolateOptions {
  /** Output (height, width); give this or scaleFactor. */
  size?: Pair;
  scaleFactor?: number | [number, number];
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  alignCorners?: boolean;
}

/** Resizes (N, C, H, W) images as torch.nn.functional.interpolate. */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new Error('interpolate: give exactly one of size and scaleFactor');
  }
  const mode = opts.mode ?? 'nearest';
  if (mode === 'nearest' && opts.alignCorners !== undefined) {
    throw new Error('interpolate: alignCorners only applies to bilinear and bicubic');
  }
  const scale = opts.scaleFactor === undefined ? null : pair(opts.scaleFactor);
  return wrap(native.interpolate(x.handle, opts.size === undefined ? null : pair(opts.size), scale, mode, opts.alignCorners ?? false));
}

/** Sampling grid (N, H, W, 2) for a batch of 2x3 affine matrices theta (N, 2, 3), in [-1, 1] coordinates. */
export function affineGrid(theta: Tensor, size: [number, number, number, number], alignCorners = false): Tensor {
  return wrap(native.affineGrid(theta.handle, size, alignCorners));
}

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}

export function gridSample(x: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  return wrap(native.gridSample(x.handle, grid.handle, opts.mode ?? 'bilinear', opts.paddingMode ?? 'zeros', opts.alignCorners ?? false));
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return wrap(native.mseLoss(input.handle, target.handle, reduction));
}

export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return wrap(native.l1Loss(input.handle, target.handle, reduction));
}

export function smoothL1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', beta = 1): Tensor {
  return wrap(native.smoothL1Loss(input.handle, target.handle, reduction, beta));
}

export interface BceOptions {
  weight?: Tensor | null;
  posWeight?: Tensor | null;
  reduction?: Reduction;
}

/** Binary cross-entropy on logits (numerically stable). */
export function bceWithLogits(logits: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  return wrap(native.bceWithLogits(logits.handle, target.handle, opts.weight?.handle ?? null, opts.posWeight?.handle ?? null,
    opts.reduction ?? 'mean'));
}

/** Binary cross-entropy on probabilities in (0, 1). */
export function binaryCrossEntropy(probabilities: Tensor, target: Tensor, opts: Omit<BceOptions, 'posWeight'> = {}): Tensor {
  return wrap(native.binaryCrossEntropy(probabilities.handle, target.handle, opts.weight?.handle ?? null, opts.reduction ?? 'mean'));
}

export interface CrossEntropyOptions {
  weight?: Tensor | null;
  reduction?: Reduction;
  ignoreIndex?: number;
  labelSmoothing?: number;
}

/** Cross-entropy of logits (N, C, ...) against class indices (N, ...) or class probabilities. */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  return wrap(native.crossEntropy(logits.handle, target.handle, opts.weight?.handle ?? null, opts.reduction ?? 'mean',
    opts.ignoreIndex ?? -100, opts.labelSmoothing ?? 0));
}

export function nllLoss(logProbabilities: Tensor, target: Tensor, opts: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  return wrap(native.nllLoss(logProbabilities.handle, target.handle, opts.weight?.handle ?? null, opts.reduction ?? 'mean',
    opts.ignoreIndex ?? -100));
}

/** Constant padding; pad lists (left, right, top, bottom, ...) from the last dimension backwards. */
export function pad(x: Tensor, padding: number[], value = 0): Tensor {
  return wrap(native.pad(x.handle, padding, value));
}

export function relu(x: Tensor): Tensor { return x.relu(); }
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor { return x.leakyRelu(negativeSlope); }
export function selu(x: Tensor): Tensor { return x.selu(); }
export function gelu(x: Tensor): Tensor { return x.gelu(); }
export function sigmoid(x: Tensor): Tensor { return x.sigmoid(); }
export function tanh(x: Tensor): Tensor { return x.tanh(); }
export function softmax(x: Tensor, dim: number): Tensor { return x.softmax(dim); }
export function logSoftmax(x: Tensor, dim: number): Tensor { return x.logSoftmax(dim); }
