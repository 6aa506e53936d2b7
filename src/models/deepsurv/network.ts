/**
 * The DeepSurv network: an MLP whose single output is a log hazard ratio. Each hidden block is
 * Linear -> [BatchNorm1d] -> ReLU|SELU -> [Dropout]; the output layer has no bias because the Cox
 * partial likelihood cannot see a constant shift (the Breslow baseline absorbs it).
 *
 * Image models reuse this head: `riskNetwork(encoder, head)` puts any feature extractor whose output
 * is [n, features] in front, and everything downstream (loss, training, baseline, folders) is the same.
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

/** An encoder (e.g. an image CNN giving [n, features]) followed by a risk head. */
export function riskNetwork(encoder: Module | null, head: Module): Module {
  return encoder === null ? head : new Sequential(encoder, head);
}
