/**
 * AdamW (Loshchilov & Hutter) written over engine tensors, with its state (step count, first and
 * second moments) readable and restorable, so that a training checkpoint holds everything needed for
 * `--resume` to continue bit for bit. libtorch's own optimizers (optim.ts) keep their moments inside
 * libtorch, where a checkpoint cannot reach them. With weight decay 0 this is Adam: the keypoint
 * detector trains that way, the image model with decay on its convolution and Linear weights.
 * Update, as torch.optim.AdamW:
 *   p <- p (1 - lr wd)   (only the parameters flagged in `decayed`)
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)
 */
import { keep, scope } from './scope.js';
import { noGrad } from './ops.js';
import { zerosLike } from './creation.js';
import type { Tensor } from './tensor.js';

/**
 * Two orders of rounding for the same denominator: bc2 = 1 - b2^t. They agree to the last bit of a
 * float, not beyond, and each trainer keeps the order its released models were trained with, so that
 * retraining one from the same seed still gives the same bytes: the image model `sqrt(v / bc2)`, the
 * keypoint detector `sqrt(v) / sqrt(bc2)` (the order of PyTorch's own Adam).
 */
export type AdamDenominator = 'sqrt(v / bc2)' | 'sqrt(v) / sqrt(bc2)';

export interface AdamWOptions {
  lr: number;
  /** Decoupled decay of the parameters flagged in `decayed`; 0 (the default) makes this Adam. */
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
  /** Default 'sqrt(v / bc2)'. */
  denominator?: AdamDenominator;
  /** One name per parameter, to key the saved moments ("m.<name>"); by default the parameter's index. */
  names?: string[];
}

export class SavableAdamW {
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  step = 0;
  lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly denominator: AdamDenominator;
  private readonly keys: string[];

  constructor(private readonly params: Tensor[], private readonly decayed: boolean[], options: AdamWOptions) {
    if (params.length !== decayed.length) throw new RangeError('one decay flag per parameter');
    if (options.names !== undefined && options.names.length !== params.length) throw new RangeError('one name per parameter');
    this.lr = options.lr;
    [this.b1, this.b2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.denominator = options.denominator ?? 'sqrt(v / bc2)';
    this.keys = options.names ?? params.map((_, i) => String(i));
    this.m = params.map((p) => keep(zerosLike(p)));
    this.v = params.map((p) => keep(zerosLike(p)));
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad_();
  }

  update(): void {
    this.step += 1;
    const bc1 = 1 - this.b1 ** this.step;
    const bc2 = 1 - this.b2 ** this.step;
    noGrad(() => {
      this.params.forEach((p, i) => {
        scope(() => {
          const g = p.grad;
          if (g === null) return;
          if (this.decayed[i] && this.weightDecay > 0) p.mul_(1 - this.lr * this.weightDecay);
          this.m[i].mul_(this.b1).addInPlace_(g, 1 - this.b1);
          this.v[i].mul_(this.b2).addInPlace_(g.mul(g), 1 - this.b2);
          const denom = (this.denominator === 'sqrt(v / bc2)' ? this.v[i].div(bc2).sqrt() : this.v[i].sqrt().div(Math.sqrt(bc2))).add(this.eps);
          p.addInPlace_(this.m[i].div(denom), -this.lr / bc1);
        });
      });
    });
  }

  /** The moments as "m.<key>" and "v.<key>" (key: the parameter's name, or its index); the caller saves them with `step`. */
  state(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.m.forEach((t, i) => out.set(`m.${this.keys[i]}`, t));
    this.v.forEach((t, i) => out.set(`v.${this.keys[i]}`, t));
    return out;
  }

  /** Restores what `state()` gave and the step count saved beside it. */
  loadState(step: number, tensors: Map<string, Tensor>): void {
    noGrad(() => {
      for (const [list, moment] of [[this.m, 'm'], [this.v, 'v']] as const) {
        list.forEach((t, i) => {
          const key = `${moment}.${this.keys[i]}`;
          const src = tensors.get(key);
          if (src === undefined || src.shape.join('x') !== t.shape.join('x')) throw new Error(`optimizer state ${key} is missing or has the wrong shape`);
          t.copy_(src);
        });
      }
    });
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
