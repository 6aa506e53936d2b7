/**
 * The DeepSurv network: an MLP whose single output is a log hazard ratio. Each hidden block is
 * Linear -> [BatchNorm1d] -> ReLU|SELU -> [Dropout]; the output layer has no bias because the Cox
 * partial likelihood cannot see a constant shift (the Breslow baseline absorbs it).
 *
 * An image model can put any feature extractor whose output is [n, features] in front of this head
 * (new Sequential(encoder, head)) and train it with the same loop (train-cox.ts).
 */
import { Sequential, Linear, BatchNorm1d, ReLU, SELU, Dropout, type Module } from '../../torch/index.js';
import type { Architecture } from './config.js';

export function buildRiskHead(arch: Architecture): Module {
  const blocks: Module[] = [];
  let inputs = arch.inFeatures;
  for (let l = 0; l < arch.layers; l++) {
    blocks.push(new Linear(inputs, arch.width, true));
    if (arch.batchNorm) blocks.push(new BatchNorm1d(arch.width));
    blocks.push(arch.activation === 'selu' ? new SELU() : new ReLU());
    if (arch.dropout > 0) blocks.push(new Dropout(arch.dropout));
    inputs = arch.width;
  }
  blocks.push(new Linear(inputs, 1, false));
  return new Sequential(...blocks);
}
