/**
 * The image encoder: one of the engine's torchvision-layout ResNets with one input channel and a
 * chosen base width, without its fc layer, so that it maps (N, 1, S, S) patches to (N, features).
 */
import { resnet18, resnet34, resnet50, type ResNet } from '../../torch/index.js';

export type EncoderArch = 'resnet18' | 'resnet34' | 'resnet50';
export const ENCODER_ARCHS: readonly EncoderArch[] = ['resnet18', 'resnet34', 'resnet50'];

export interface EncoderConfig {
  arch: EncoderArch;
  /** Channels of the first stage (torchvision: 64). */
  width: number;
}

/** The encoder; numClasses > 0 keeps an fc layer (used only to compare with torchvision). */
export function buildEncoder(config: EncoderConfig, numClasses = 0): ResNet {
  const make = { resnet18, resnet34, resnet50 }[config.arch];
  if (make === undefined) throw new RangeError(`unknown encoder "${String(config.arch)}" (${ENCODER_ARCHS.join(', ')})`);
  if (!Number.isInteger(config.width) || config.width < 1) throw new RangeError(`encoder width must be a positive integer, got ${config.width}`);
  return make({ inChannels: 1, width: config.width, numClasses });
}
