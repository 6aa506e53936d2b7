/**
 * Adam (PyTorch's update rule, no weight decay) with its state in ordinary tensors, so that a
 * checkpoint holds the moments and step count and a resumed run continues exactly where the killed one
 * stopped. (The engine's Adam keeps its moments inside libtorch, out of reach of a checkpoint.)
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
import { keep, noGrad, scope, zerosLike, type Tensor } from '../torch/index.js';

export class CheckpointableAdam {
  step = 0;
  lr: number;
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  constructor(private readonly params: Map<string, Tensor>, lr: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-8) {
    this.lr = lr;
    this.m = [...params.values()].map((p) => keep(zerosLike(p)));
    this.v = [...params.values()].map((p) => keep(zerosLike(p)));
  }

  zeroGrad(): void {
    for (const p of this.params.values()) p.zeroGrad_();
  }

  update(): void {
    this.step += 1;
    const bc1 = 1 - this.beta1 ** this.step;
    const bc2 = 1 - this.beta2 ** this.step;
    noGrad(() => scope(() => {
      [...this.params.values()].forEach((p, i) => {
        const g = p.grad;
        if (g === null) return;
        const m = this.m[i]!, v = this.v[i]!;
        m.mul_(this.beta1).addInPlace_(g, 1 - this.beta1);
        v.mul_(this.beta2).addInPlace_(g.mul(g), 1 - this.beta2);
        const denom = v.sqrt().div(Math.sqrt(bc2)).add(this.eps);
        p.addInPlace_(m.div(denom), -this.lr / bc1);
      });
    }));
  }

  /** Moments by parameter name, for a checkpoint. */
  state(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    [...this.params.keys()].forEach((name, i) => {
      out.set(`adam.m.${name}`, this.m[i]!);
      out.set(`adam.v.${name}`, this.v[i]!);
    });
    return out;
  }

  loadState(source: Map<string, Tensor>, step: number): void {
    [...this.params.keys()].forEach((name, i) => {
      const m = source.get(`adam.m.${name}`), v = source.get(`adam.v.${name}`);
      if (m === undefined || v === undefined) throw new Error(`checkpoint has no Adam state for ${name}`);
      this.m[i]!.copy_(m);
      this.v[i]!.copy_(v);
    });
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
