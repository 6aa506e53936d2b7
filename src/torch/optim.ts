/**
 * Optimizers: thin handles on libtorch's torch::optim::Adam / AdamW / SGD (same update rules as
 * PyTorch's), so a step is one native call. The optimizer refers to the parameter tensors themselves;
 * loading weights (Module.loadStateDict copies in place) keeps it pointing at the model.
 */
import { native, type OptimizerHandle } from './native.js';
import type { Tensor } from './tensor.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay (default 0.01). */
  weightDecay?: number;
  amsgrad?: boolean;
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export abstract class Optimizer {
  protected readonly handle: OptimizerHandle;

  protected constructor(kind: 'adam' | 'adamw' | 'sgd', params: Tensor[], options: Record<string, unknown>) {
    if (params.length === 0) throw new Error(`${kind}: no parameters to optimize`);
    this.handle = native.optimizerCreate(kind, params.map((p) => p.handle), options) as OptimizerHandle;
  }

  /** Clears the gradients of every parameter (sets them to zero, as PyTorch 1.13's default). */
  zeroGrad(): void {
    native.optimizerZeroGrad(this.handle);
  }

  /** One update from the accumulated gradients. */
  step(): void {
    native.optimizerStep(this.handle);
  }

  get lr(): number {
    return native.optimizerGetLr(this.handle) as number;
  }

  set lr(value: number) {
    if (!(value >= 0)) throw new RangeError(`learning rate must be >= 0, got ${value}`);
    native.optimizerSetLr(this.handle, value);
  }

  /** Frees the optimizer state (moments, momentum buffers) now. */
  dispose(): void {
    native.optimizerDispose(this.handle);
  }
}

function adamOptions(o: AdamOptions): Record<string, unknown> {
  return { lr: o.lr, beta1: o.betas?.[0], beta2: o.betas?.[1], eps: o.eps, weightDecay: o.weightDecay, amsgrad: o.amsgrad };
}

export class Adam extends Optimizer {
  constructor(params: Tensor[], options: AdamOptions) {
    super('adam', params, adamOptions(options));
  }
}

export class AdamW extends Optimizer {
  constructor(params: Tensor[], options: AdamOptions) {
    super('adamw', params, adamOptions(options));
  }
}

export class SGD extends Optimizer {
  constructor(params: Tensor[], options: SGDOptions) {
    if (options.nesterov && !(options.momentum && options.momentum > 0 && !options.dampening)) {
      throw new Error('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
    }
    super('sgd', params, { ...options });
  }
}
