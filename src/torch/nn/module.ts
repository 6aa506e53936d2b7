/**
 * Module: the base of every layer. Parameters, buffers and sub-modules are registered by name in
 * order, so that names and state-dict order match PyTorch's (e.g. "layer1.0.conv1.weight") and weights
 * move between the two through safetensors. Parameters and buffers escape scopes (keep): they live
 * until dispose().
 */
import { keep } from '../scope.js';
import type { Tensor } from '../tensor.js';

export abstract class Module {
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownModules = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers a trainable tensor (sets requiresGrad). */
  protected registerParameter(name: string, t: Tensor): Tensor {
    keep(t);
    if (!t.requiresGrad) t.setRequiresGrad(true);
    this.ownParameters.set(name, t);
    return t;
  }

  /** Registers non-trainable state that is saved with the weights (e.g. running statistics). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.ownBuffers.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.ownModules.set(name, m);
    return m;
  }

  train(on = true): this {
    this.training = on;
    for (const m of this.ownModules.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  namedChildren(): Map<string, Module> {
    return new Map(this.ownModules);
  }

  // Tensors by dotted name: this module's own (the maps `own` picks), then each child's, recursively.
  private named(prefix: string, own: (m: Module) => Map<string, Tensor>[]): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const map of own(this)) for (const [name, t] of map) out.set(prefix + name, t);
    for (const [name, m] of this.ownModules) for (const [k, t] of m.named(`${prefix}${name}.`, own)) out.set(k, t);
    return out;
  }

  namedParameters(prefix = ''): Map<string, Tensor> {
    return this.named(prefix, (m) => [m.ownParameters]);
  }

  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  namedBuffers(prefix = ''): Map<string, Tensor> {
    return this.named(prefix, (m) => [m.ownBuffers]);
  }

  /** Number of trainable values. */
  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.numel, 0);
  }

  /** Parameters and buffers by name, in PyTorch's order (the module's own, then each child's). */
  stateDict(prefix = ''): Map<string, Tensor> {
    return this.named(prefix, (m) => [m.ownParameters, m.ownBuffers]);
  }

  /** Copies values into the existing tensors (the optimizer keeps referring to the same ones). */
  loadStateDict(source: Map<string, Tensor>, strict = true): void {
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !source.has(k));
      const unexpected = [...source.keys()].filter((k) => !own.has(k));
      if (missing.length > 0 || unexpected.length > 0) {
        throw new Error(`loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
      }
    }
    for (const [name, target] of own) {
      const value = source.get(name);
      if (value === undefined) continue;
      const a = target.shape, b = value.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        throw new Error(`loadStateDict: ${name} has shape [${b.join(', ')}], the model needs [${a.join(', ')}]`);
      }
      target.copy_(value);
    }
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const t of this.ownParameters.values()) t.dispose();
    for (const t of this.ownBuffers.values()) t.dispose();
    for (const m of this.ownModules.values()) m.dispose();
  }
}
