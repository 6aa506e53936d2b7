/**
 * Training profiles: the same code path at two sizes. `cpu` is small enough to train on a 2-core
 * machine in minutes (reduced input, narrow HRNet with one module per stage); `paper` is the source
 * study's HRNet-W32 at 384 px with 96 px heatmaps, for a GPU.
 */
import { hrnetW32Config, type HRNetConfig } from './hrnet.js';

export interface LandmarkProfile {
  name: 'cpu' | 'paper';
  /** Network input: size x size pixels (letterboxed). */
  inputSize: number;
  /** Input pixels per heatmap pixel. */
  stride: number;
  /** Gaussian target sigma in heatmap pixels. */
  sigma: number;
  network: HRNetConfig;
  batchSize: number;
  epochs: number;
  /**
   * Fewest optimiser steps a run takes when the epochs are not given: with few radiographs an epoch
   * is a step or two, and the profile's epochs alone would stop long before the network has learnt
   * (measured: 14 epochs on 25-200 radiographs gave test AP 0.00-0.45; docs/annotate.md). 0: epochs as given.
   */
  minSteps: number;
  /** Adam learning rate, cosine from the first to the second value over the run. */
  lr: [number, number];
  /** Share of the training rows held out to report validation AP during training. */
  validationShare: number;
}

export function cpuProfile(): LandmarkProfile {
  return {
    name: 'cpu', inputSize: 256, stride: 4, sigma: 2,
    network: {
      inChannels: 1, numJoints: 5, width: 12, stemChannels: 16, layer1Planes: 8, layer1Blocks: 1,
      stages: [{ modules: 1, blocks: 1 }, { modules: 1, blocks: 1 }, { modules: 1, blocks: 1 }],
    },
    // 882 steps: what 14 epochs take on the demo study's 1,020 detector training radiographs (63
    // steps an epoch), so the demo and any larger cohort train exactly as before, a smaller one as long.
    batchSize: 16, epochs: 14, minSteps: 882, lr: [1e-3, 1e-5], validationShare: 0.1,
  };
}

export function paperProfile(): LandmarkProfile {
  return {
    name: 'paper', inputSize: 384, stride: 4, sigma: 3, network: hrnetW32Config(1, 5),
    batchSize: 32, epochs: 210, minSteps: 0, lr: [1e-3, 1e-5], validationShare: 0.1,
  };
}

/** Epochs for a run on `n` radiographs: the profile's, or more when they would make fewer than minSteps steps (at most 1,000). */
export function epochsForData(profile: LandmarkProfile, n: number): number {
  const stepsPerEpoch = Math.max(1, Math.floor(n / Math.min(profile.batchSize, Math.max(1, n))));
  return Math.min(1000, Math.max(profile.epochs, Math.ceil(profile.minSteps / stepsPerEpoch)));
}

export function profileByName(name: string): LandmarkProfile {
  if (name === 'cpu') return cpuProfile();
  if (name === 'paper') return paperProfile();
  throw new Error(`unknown profile "${name}" (cpu, paper)`);
}
