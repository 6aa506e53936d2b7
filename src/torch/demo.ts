/**
 * The engine's own demonstration (`spinesurv engine demo`): a small CNN learns to tell horizontal
 * from vertical bars in noisy generated images. Also the toy task of the engine's tests.
 */
import { Random } from '../util/random.js';
import * as F from './functional.js';
import type { Tensor } from './tensor.js';
import { tensor } from './creation.js';
import { manualSeed, noGrad } from './ops.js';
import { scope } from './scope.js';
import { Adam } from './optim.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from './nn/layers.js';

export const BAR_IMAGE_SIZE = 12;

/** n images (1 channel, 12x12) with one bright bar of length 7 plus N(0, noise^2) noise; label 1 = vertical. */
export function barImages(rng: Random, n: number, noise = 0.3): { x: Float32Array; y: BigInt64Array } {
  const size = BAR_IMAGE_SIZE;
  const x = new Float32Array(n * size * size);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const vertical = rng.uniform() < 0.5;
    y[i] = vertical ? 1n : 0n;
    const line = 2 + rng.int(size - 4);
    const from = rng.int(size - 7 + 1);
    for (let k = from; k < from + 7; k++) {
      const [r, c] = vertical ? [k, line] : [line, k];
      x[i * size * size + r * size + c] = 1;
    }
    for (let j = 0; j < size * size; j++) x[i * size * size + j]! += noise * rng.normal();
  }
  return { x, y };
}

export function barClassifier(): Sequential {
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1 }), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
    new Conv2d(8, 16, 3, { padding: 1 }), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(16, 2),
  );
}

export interface DemoEpoch {
  epoch: number;
  loss: number;
  heldOutAccuracy: number;
  ms: number;
}

export interface DemoOptions {
  seed: number;
  epochs: number;
  trainSize?: number;
  testSize?: number;
  batchSize?: number;
  lr?: number;
}

/** Trains the bar classifier, calling onEpoch after each epoch; returns the per-epoch log. */
export function runBarDemo(opts: DemoOptions, onEpoch: (e: DemoEpoch) => void = () => {}): DemoEpoch[] {
  manualSeed(opts.seed);
  const rng = new Random(opts.seed);
  const nTrain = opts.trainSize ?? 512;
  const nTest = opts.testSize ?? 256;
  const batch = opts.batchSize ?? 32;
  const train = barImages(rng, nTrain);
  const held = barImages(rng, nTest);
  const size = BAR_IMAGE_SIZE;
  const xTrain = tensor(train.x, [nTrain, 1, size, size]);
  const yTrain = tensor(train.y);
  const xTest = tensor(held.x, [nTest, 1, size, size]);
  const yTest = tensor(held.y);
  const net = barClassifier();
  const optimizer = new Adam(net.parameters(), { lr: opts.lr ?? 0.01 });
  const log: DemoEpoch[] = [];
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const start = performance.now();
      net.train();
      const order = rng.permutation(nTrain);
      let lossSum = 0;
      let batches = 0;
      for (let b = 0; b < nTrain; b += batch) {
        lossSum += scope(() => {
          const idx = tensor(order.slice(b, b + batch));
          optimizer.zeroGrad();
          const loss = F.crossEntropy(net.forward(xTrain.indexSelect(0, idx)), yTrain.indexSelect(0, idx));
          loss.backward();
          optimizer.step();
          return loss.item();
        });
        batches++;
      }
      net.eval();
      const accuracy = scope(() => noGrad(() => net.forward(xTest).argmax(1).eq(yTest).float().mean().item()));
      const entry = { epoch, loss: lossSum / batches, heldOutAccuracy: accuracy, ms: performance.now() - start };
      log.push(entry);
      onEpoch(entry);
    }
  } finally {
    for (const t of [xTrain, yTrain, xTest, yTest] as Tensor[]) t.dispose();
    net.dispose();
    optimizer.dispose();
  }
  return log;
}
