/**
 * Learning-rate schedules with PyTorch's formulas (closed form, per epoch). Call step() once per
 * epoch after the optimizer steps; lrAt(epoch) gives the rate without an optimizer.
 */
import type { Optimizer } from './optim.js';

export abstract class LRSchedule {
  epoch = 0;
  protected readonly baseLr: number;
  constructor(protected readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  abstract lrAt(epoch: number): number;
  /** Advances one epoch and sets the optimizer's rate. */
  step(): void {
    this.epoch += 1;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
}

/** lr * gamma^floor(epoch / stepSize) */
export class StepLR extends LRSchedule {
  constructor(optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
  }
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr * gamma^epoch */
export class ExponentialLR extends LRSchedule {
  constructor(optimizer: Optimizer, readonly gamma: number) {
    super(optimizer);
  }
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

/** etaMin + (lr - etaMin) (1 + cos(pi epoch / tMax)) / 2 */
export class CosineAnnealingLR extends LRSchedule {
  constructor(optimizer: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
  }
  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/** lr / (1 + decay * epoch), the inverse-time decay DeepSurv uses. */
export class InverseTimeLR extends LRSchedule {
  constructor(optimizer: Optimizer, readonly decay: number) {
    super(optimizer);
  }
  lrAt(epoch: number): number {
    return this.baseLr / (1 + this.decay * epoch);
  }
}
