/**
 * spinesurv's tensor engine: libtorch through a Node-API addon (native/), with a PyTorch-like
 * TypeScript face. See docs/engine.md.
 */
export { Tensor, type DType, type Operand, type Scalar } from './tensor.js';
export {
  tensor, scalar, zeros, ones, full, zerosLike, onesLike, arange, range, linspace, randn, rand, randint, randperm, eye,
  type TensorOptions, type TensorData,
} from './creation.js';
export {
  cat, stack, where, matmul, noGrad, enableGrad, isGradEnabled, manualSeed, setNumThreads, getNumThreads, withNumThreads, setMkldnnEnabled, runtimeInfo, devices,
  type RuntimeInfo,
} from './ops.js';
export { scope, keep, liveTensorCount, gcReclaimedCount } from './scope.js';
export * as F from './functional.js';
export { Module } from './nn/module.js';
export {
  Linear, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, Dropout, ReLU, SELU, GELU, Sigmoid, Tanh,
  LeakyReLU, Identity, Flatten, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Sequential,
  type Conv2dOptions, type ConvTranspose2dOptions, type BatchNormOptions,
} from './nn/layers.js';
export { ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, type ResNetOptions, type BlockKind } from './nn/resnet.js';
export * as init from './nn/init.js';
export { Optimizer, Adam, AdamW, SGD, type AdamOptions, type SGDOptions } from './optim.js';
export { SavableAdamW, type AdamWOptions, type AdamDenominator } from './savable-adamw.js';
export { LRSchedule, StepLR, ExponentialLR, CosineAnnealingLR, InverseTimeLR } from './lr-schedule.js';
export {
  saveSafetensors, loadSafetensors, readSafetensors, encodeSafetensors, decodeSafetensors, type SafetensorsContent,
} from './safetensors.js';
