/**
 * The ResNet bottleneck block (1x1 reduce, 3x3, 1x1 expand by 4, residual), with torchvision's and
 * HRNet's parameter names (conv1/bn1, conv2/bn2, conv3/bn3, downsample.0/.1), so weights move to and
 * from PyTorch by name. HRNet's first stage (layer1) is four of these.
 */
import type { Tensor } from '../tensor.js';
import { BatchNorm2d, Conv2d, ReLU, Sequential, freeingStep as step } from './layers.js';
import { Module } from './module.js';

export const BOTTLENECK_EXPANSION = 4;

export class Bottleneck extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample: Sequential | null;
  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    const outPlanes = planes * BOTTLENECK_EXPANSION;
    this.conv1 = this.registerModule('conv1', new Conv2d(inPlanes, planes, 1, { bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, { stride, padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.conv3 = this.registerModule('conv3', new Conv2d(planes, outPlanes, 1, { bias: false }));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(outPlanes));
    this.registerModule('relu', new ReLU());
    this.downsample = stride !== 1 || inPlanes !== outPlanes
      ? this.registerModule('downsample', new Sequential(new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false }), new BatchNorm2d(outPlanes)))
      : null;
  }
  forward(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = step(out, x, (t) => this.bn1.forward(t)).relu_();
    out = step(out, x, (t) => this.conv2.forward(t));
    out = step(out, x, (t) => this.bn2.forward(t)).relu_();
    out = step(out, x, (t) => this.conv3.forward(t));
    out = step(out, x, (t) => this.bn3.forward(t));
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    out.add_(identity).relu_();
    if (identity !== x) identity.dispose();
    return out;
  }
}
