/**
 * ResNet-18/34/50 (He et al. 2016) with torchvision's layout and parameter names, so weights move to
 * and from torchvision through safetensors: conv1 7x7/2, max-pool 3x3/2, four stages of BasicBlocks
 * (18/34; widths w, 2w, 4w, 8w) or Bottleneck blocks (50; inner widths w..8w, outputs 4x that, the
 * stride on the 3x3 convolution as torchvision's "ResNet v1.5"), global average pool, fc.
 * Configurable input channels (1 for radiographs) and base width (torchvision: 64). Initialisation as
 * torchvision: Kaiming normal (fan_out, relu) for convolutions, BatchNorm weight 1 and bias 0,
 * PyTorch's default for fc.
 */
import type { Tensor } from '../tensor.js';
import { kaimingNormal_ } from './init.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Identity, Linear, MaxPool2d, ReLU, Sequential, freeingStep as step } from './layers.js';
import { Module } from './module.js';

export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;
  constructor(inPlanes: number, planes: number, stride: number) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.downsample = stride !== 1 || inPlanes !== planes
      ? this.registerModule('downsample', new Sequential(new Conv2d(inPlanes, planes, 1, { stride, bias: false }), new BatchNorm2d(planes)))
      : null;
  }
  forward(x: Tensor): Tensor {
    // Same op sequence as torchvision's BasicBlock (in-place ReLU and residual add).
    let out = this.conv1.forward(x);
    out = step(out, x, (t) => this.bn1.forward(t)).relu_();
    out = step(out, x, (t) => this.conv2.forward(t));
    out = step(out, x, (t) => this.bn2.forward(t));
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    out.add_(identity).relu_();
    if (identity !== x) identity.dispose();
    return out;
  }
}

/** torchvision's Bottleneck (expansion 4): 1x1 reduce, 3x3 (carrying the stride), 1x1 expand. */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample: Sequential | null;
  constructor(inPlanes: number, planes: number, stride: number) {
    super();
    const outPlanes = planes * Bottleneck.expansion;
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

export type BlockKind = 'basic' | 'bottleneck';

export interface ResNetOptions {
  /** Input image channels (1 for a radiograph, 3 for RGB). */
  inChannels: number;
  /** Channels of the first stage (torchvision: 64). */
  width?: number;
  /** Output size of fc; 0 leaves fc out and returns the pooled features (8 * width). */
  numClasses?: number;
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: Sequential[];
  readonly fc: Module;
  readonly block: BlockKind;
  readonly featureSize: number;
  private readonly maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  private readonly avgpool = new AdaptiveAvgPool2d(1);

  constructor(blocksPerStage: number[], opts: ResNetOptions, block: BlockKind = 'basic') {
    super();
    this.block = block;
    const width = opts.width ?? 64;
    const numClasses = opts.numClasses ?? 1000;
    this.conv1 = this.registerModule('conv1', new Conv2d(opts.inChannels, width, 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', this.maxpool);
    let inPlanes = width;
    this.layers = blocksPerStage.map((blocks, stage) => {
      const planes = width * 2 ** stage;
      const stride = stage === 0 ? 1 : 2;
      const stageBlocks: Module[] = [];
      for (let b = 0; b < blocks; b++) {
        const s = b === 0 ? stride : 1;
        stageBlocks.push(block === 'basic' ? new BasicBlock(inPlanes, planes, s) : new Bottleneck(inPlanes, planes, s));
        inPlanes = block === 'basic' ? planes : planes * Bottleneck.expansion;
      }
      return this.registerModule(`layer${stage + 1}`, new Sequential(...stageBlocks));
    });
    this.registerModule('avgpool', this.avgpool);
    this.featureSize = inPlanes;
    this.fc = this.registerModule('fc', numClasses > 0 ? new Linear(inPlanes, numClasses) : new Identity());
    for (const [name, t] of this.namedParameters()) {
      if (t.ndim === 4 && name.endsWith('weight')) kaimingNormal_(t, { mode: 'fanOut', nonlinearity: 'relu' });
    }
  }

  /** (N, inChannels, H, W) -> (N, numClasses), or (N, featureSize) without fc. */
  forward(x: Tensor): Tensor {
    const maps = this.featureMaps(x);
    return this.head(maps);
  }

  /** The last block's output (N, featureSize, h, w): what Grad-CAM weighs. */
  featureMaps(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = step(out, x, (t) => this.bn1.forward(t)).relu_();
    out = step(out, x, (t) => this.maxpool.forward(t));
    for (const layer of this.layers) out = step(out, x, (t) => layer.forward(t));
    return out;
  }

  /** Global average pool, flatten and fc over featureMaps' output (which it frees). */
  head(maps: Tensor): Tensor {
    let out = this.avgpool.forward(maps);
    maps.dispose();
    out = step(out, maps, (t) => t.flatten(1));
    return step(out, maps, (t) => this.fc.forward(t));
  }
}

export function resnet18(opts: ResNetOptions): ResNet {
  return new ResNet([2, 2, 2, 2], opts);
}

export function resnet34(opts: ResNetOptions): ResNet {
  return new ResNet([3, 4, 6, 3], opts);
}

export function resnet50(opts: ResNetOptions): ResNet {
  return new ResNet([3, 4, 6, 3], opts, 'bottleneck');
}
