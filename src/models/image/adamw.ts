/**
 * AdamW (Loshchilov & Hutter) written over engine tensors, with its state (step count, first and
 * second moments) readable and restorable, so that a training checkpoint holds everything needed for
 * `--resume` to continue bit for bit. The engine's native optimizers keep their moments inside
 * libtorch where they cannot be saved. Update, as torch.optim.AdamW:
 *   p <- p (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)
 * Weight decay applies only to the parameters given as `decayed` (convolution and Linear weights).
 */
import { keep, noGrad, scope, zerosLike, type Tensor } from '../../torch/index.js';

export interface AdamWOptions {
  lr: number;
  weightDecay: number;
  betas?: [number, number];
  eps?: number;
}

export class SavableAdamW {
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  step = 0;
  lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(private readonly params: Tensor[], private readonly decayed: boolean[], private readonly options: AdamWOptions) {
    if (params.length !== decayed.length) throw new RangeError('one decay flag per parameter');
    this.lr = options.lr;
    [this.b1, this.b2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
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
          if (this.decayed[i] && this.options.weightDecay > 0) p.mul_(1 - this.lr * this.options.weightDecay);
          this.m[i].mul_(this.b1).addInPlace_(g, 1 - this.b1);
          this.v[i].mul_(this.b2).addInPlace_(g.mul(g), 1 - this.b2);
          const denom = this.v[i].div(bc2).sqrt().add(this.eps);
          p.addInPlace_(this.m[i].div(denom), -this.lr / bc1);
        });
      });
    });
  }

  /** Moments by parameter index ("m.<i>", "v.<i>"); the caller saves them with the step count. */
  state(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.m.forEach((t, i) => out.set(`m.${i}`, t));
    this.v.forEach((t, i) => out.set(`v.${i}`, t));
    return out;
  }

  loadState(step: number, tensors: Map<string, Tensor>): void {
    noGrad(() => {
      for (const [list, key] of [[this.m, 'm'], [this.v, 'v']] as const) {
        list.forEach((t, i) => {
          const src = tensors.get(`${key}.${i}`);
          if (src === undefined || src.shape.join('x') !== t.shape.join('x')) throw new Error(`optimizer state ${key}.${i} is missing or has the wrong shape`);
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
