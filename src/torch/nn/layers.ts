/** Layers with PyTorch's names, shapes, defaults and default initialisation. */
import * as F from '../functional.js';
import { ones, zeros, full } from '../creation.js';
import type { Tensor } from '../tensor.js';
import { fans, kaimingUniform_ } from './init.js';
import { Module } from './module.js';

// PyTorch's default for Linear and Conv: kaiming_uniform(a = sqrt(5)) weights, bias U(-1/sqrt(fan_in), ..).
function defaultInit(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const bound = 1 / Math.sqrt(fans(weight).fanIn);
    bias.uniform_(-bound, bound);
  }
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true) {
    super();
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]));
    this.bias = bias ? this.registerParameter('bias', zeros([outFeatures])) : null;
    defaultInit(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

export interface Conv2dOptions extends F.ConvOptions {
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly opts: F.ConvOptions;
  constructor(inChannels: number, outChannels: number, kernelSize: F.Pair, opts: Conv2dOptions = {}) {
    super();
    const [kh, kw] = F.pair(kernelSize);
    const groups = opts.groups ?? 1;
    this.weight = this.registerParameter('weight', zeros([outChannels, inChannels / groups, kh, kw]));
    this.bias = opts.bias ?? true ? this.registerParameter('bias', zeros([outChannels])) : null;
    this.opts = { stride: opts.stride ?? 1, padding: opts.padding ?? 0, dilation: opts.dilation ?? 1, groups };
    defaultInit(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.opts);
  }
}

export interface ConvTranspose2dOptions extends F.ConvTransposeOptions {
  bias?: boolean;
}

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly opts: F.ConvTransposeOptions;
  constructor(inChannels: number, outChannels: number, kernelSize: F.Pair, opts: ConvTranspose2dOptions = {}) {
    super();
    const [kh, kw] = F.pair(kernelSize);
    const groups = opts.groups ?? 1;
    this.weight = this.registerParameter('weight', zeros([inChannels, outChannels / groups, kh, kw]));
    this.bias = opts.bias ?? true ? this.registerParameter('bias', zeros([outChannels])) : null;
    this.opts = {
      stride: opts.stride ?? 1, padding: opts.padding ?? 0, outputPadding: opts.outputPadding ?? 0,
      dilation: opts.dilation ?? 1, groups,
    };
    // PyTorch computes the fan from weight dim 1 here too (in_channels/groups * kernel area for dim 1).
    defaultInit(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.opts);
  }
}

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
}

/** Batch normalisation over the channel dimension 1 (BatchNorm1d: (N, C) or (N, C, L); 2d: (N, C, H, W)). */
class BatchNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;
  readonly eps: number;
  readonly momentum: number;
  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const affine = opts.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures])) : null;
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]));
    this.runningVar = this.registerBuffer('running_var', ones([numFeatures]));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', full([], 0, { dtype: 'int64' }));
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
  }
  forward(x: Tensor): Tensor {
    if (this.training) this.numBatchesTracked.addInPlace_(1);
    return F.batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight, bias: this.bias, training: this.training, momentum: this.momentum, eps: this.eps,
    });
  }
}

export class BatchNorm1d extends BatchNorm {}
export class BatchNorm2d extends BatchNorm {}

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly normalizedShape: number[], readonly eps = 1e-5) {
    super();
    this.weight = this.registerParameter('weight', ones(normalizedShape));
    this.bias = this.registerParameter('bias', zeros(normalizedShape));
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

export class GroupNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly numGroups: number, numChannels: number, readonly eps = 1e-5) {
    super();
    this.weight = this.registerParameter('weight', ones([numChannels]));
    this.bias = this.registerParameter('bias', zeros([numChannels]));
  }
  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}
export class SELU extends Module {
  forward(x: Tensor): Tensor { return x.selu(); }
}
export class GELU extends Module {
  forward(x: Tensor): Tensor { return x.gelu(); }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
}
export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: F.Pair, readonly opts: F.PoolOptions = {}) {
    super();
  }
  forward(x: Tensor): Tensor { return F.maxPool2d(x, this.kernelSize, this.opts); }
}
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: F.Pair, readonly opts: F.PoolOptions = {}) {
    super();
  }
  forward(x: Tensor): Tensor { return F.avgPool2d(x, this.kernelSize, this.opts); }
}
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: F.Pair) {
    super();
  }
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); }
}

/**
 * f(x), freeing x as soon as f has used it unless x is the caller's own input (which the caller
 * still owns) or f returned x itself. Sequential and the ResNet blocks chain their layers with it.
 */
export function freeingStep(x: Tensor, input: Tensor, f: (t: Tensor) => Tensor): Tensor {
  const y = f(x);
  if (x !== input && y !== x) x.dispose();
  return y;
}

/**
 * Runs modules in order. Intermediate results are freed as soon as the next module has used them
 * (autograd keeps what it needs inside libtorch), so inference holds no more memory than PyTorch.
 */
export class Sequential extends Module {
  readonly modules: Module[];
  constructor(...modules: Module[]) {
    super();
    this.modules = modules;
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let out = x;
    for (const m of this.modules) out = freeingStep(out, x, (t) => m.forward(t));
    return out;
  }
  get length(): number {
    return this.modules.length;
  }
}
