/**
 * HRNet for keypoint heatmaps (Sun et al. 2019, "Deep High-Resolution Representation Learning"), laid
 * out and named as the reference implementation (HRNet/deep-high-resolution-net.pytorch,
 * lib/models/pose_hrnet.py), so that weights converted from PyTorch load by name:
 *   conv1, bn1, conv2, bn2          stem: two 3x3 stride-2 convolutions (input / 4)
 *   layer1.{0..}                    Bottleneck blocks
 *   transition1, stage2, transition2, stage3, transition3, stage4
 *   stageK.M.branches.B.N.*         BasicBlocks of branch B in module M
 *   stageK.M.fuse_layers.I.J.*      the exchange between branches (the repeated fusion)
 *   final_layer                     1x1 convolution to one heatmap per keypoint (input / 4)
 * One class covers the paper's HRNet-W32 and the small widths that train on a CPU: branch widths are
 * W, 2W, 4W, 8W, and the number of modules and blocks per stage is configurable.
 */
import { BatchNorm2d, Conv2d, ReLU, Sequential, freeingStep as step } from '../torch/nn/layers.js';
import { BasicBlock } from '../torch/nn/resnet.js';
import { Bottleneck, BOTTLENECK_EXPANSION } from '../torch/nn/bottleneck.js';
import { Module } from '../torch/nn/module.js';
import { kaimingNormal_ } from '../torch/nn/init.js';
import * as F from '../torch/functional.js';
import type { Tensor } from '../torch/tensor.js';

export interface StageConfig {
  /** HighResolutionModules in the stage (W32: 1, 4, 3). */
  modules: number;
  /** BasicBlocks per branch in each module (W32: 4). */
  blocks: number;
}

export interface HRNetConfig {
  /** Image channels (1 for a radiograph; 3 for RGB weights). */
  inChannels: number;
  /** Keypoints (heatmap channels). */
  numJoints: number;
  /** W: the highest-resolution branch's channels (W32: 32). */
  width: number;
  /** Channels of the stem convolutions (W32: 64). */
  stemChannels: number;
  /** Bottleneck planes in layer1 (W32: 64, so layer1 outputs 256 channels). */
  layer1Planes: number;
  /** Bottleneck blocks in layer1 (W32: 4). */
  layer1Blocks: number;
  /** stage2, stage3, stage4 (2, 3, 4 branches). */
  stages: [StageConfig, StageConfig, StageConfig];
}

/** The paper's configuration: HRNet-W32 (pose_hrnet w32_256x192 / w32_384x288). */
export function hrnetW32Config(inChannels = 1, numJoints = 5): HRNetConfig {
  return {
    inChannels, numJoints, width: 32, stemChannels: 64, layer1Planes: 64, layer1Blocks: 4,
    stages: [{ modules: 1, blocks: 4 }, { modules: 4, blocks: 4 }, { modules: 3, blocks: 4 }],
  };
}

/** A list of sub-modules addressed by index, with holes where the reference has None. */
class ModuleList extends Module {
  readonly items: (Module | null)[];
  constructor(items: (Module | null)[]) {
    super();
    this.items = items;
    items.forEach((m, i) => { if (m !== null) this.registerModule(String(i), m); });
  }
  forward(): Tensor {
    throw new Error('ModuleList has no forward');
  }
}

const conv3x3 = (cin: number, cout: number, stride: number): Conv2d => new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });

/** One HighResolutionModule: parallel branches of BasicBlocks, then every branch gathers from every other. */
class HighResolutionModule extends Module {
  private readonly branches: Sequential[];
  private readonly fuse: (Module | null)[][];
  private readonly upsample: number[][];
  constructor(readonly channels: number[], blocks: number, readonly multiScaleOutput: boolean) {
    super();
    const n = channels.length;
    this.branches = channels.map((c) => new Sequential(...Array.from({ length: blocks }, () => new BasicBlock(c, c, 1))));
    this.registerModule('branches', new ModuleList(this.branches));
    this.fuse = [];
    this.upsample = [];
    if (n > 1) {
      const outputs = multiScaleOutput ? n : 1;
      for (let i = 0; i < outputs; i++) {
        const row: (Module | null)[] = [];
        const ups: number[] = [];
        for (let j = 0; j < n; j++) {
          ups.push(2 ** (j - i));
          if (j > i) {
            // 1x1 to branch i's width, then nearest upsampling (parameter-free; index 2 in the reference).
            row.push(new Sequential(new Conv2d(channels[j]!, channels[i]!, 1, { bias: false }), new BatchNorm2d(channels[i]!)));
          } else if (j === i) {
            row.push(null);
          } else {
            const steps: Module[] = [];
            for (let k = 0; k < i - j; k++) {
              const last = k === i - j - 1;
              steps.push(last
                ? new Sequential(conv3x3(channels[j]!, channels[i]!, 2), new BatchNorm2d(channels[i]!))
                : new Sequential(conv3x3(channels[j]!, channels[j]!, 2), new BatchNorm2d(channels[j]!), new ReLU()));
            }
            row.push(new Sequential(...steps));
          }
        }
        this.fuse.push(row);
        this.upsample.push(ups);
      }
      this.registerModule('fuse_layers', new ModuleList(this.fuse.map((row) => new ModuleList(row))));
    }
    this.registerModule('relu', new ReLU());
  }

  forward(): Tensor {
    throw new Error('HighResolutionModule takes a list of branch inputs: use run()');
  }

  /** Branch inputs (highest resolution first) -> fused outputs; frees the inputs it was given. */
  run(xs: Tensor[]): Tensor[] {
    const ys = xs.map((x, b) => {
      const y = this.branches[b]!.forward(x);
      x.dispose();
      return y;
    });
    if (ys.length === 1) return ys;
    const out: Tensor[] = [];
    for (let i = 0; i < this.fuse.length; i++) {
      let acc: Tensor | null = null;
      for (let j = 0; j < ys.length; j++) {
        const m = this.fuse[i]![j];
        let term = m === null ? ys[j]! : m.forward(ys[j]!);
        if (j > i) term = step(term, ys[j]!, (t) => F.interpolate(t, { scaleFactor: this.upsample[i]![j]!, mode: 'nearest' }));
        if (acc === null) acc = term === ys[j] ? term.clone() : term;
        else {
          const sum: Tensor = acc.add(term);
          acc.dispose();
          if (term !== ys[j]) term.dispose();
          acc = sum;
        }
      }
      out.push(acc!.relu_());
    }
    for (const y of ys) y.dispose();
    return out;
  }
}

class Stage extends Module {
  readonly modules: HighResolutionModule[];
  constructor(channels: number[], cfg: StageConfig, multiScaleOutput: boolean) {
    super();
    this.modules = Array.from({ length: cfg.modules }, (_, m) =>
      this.registerModule(String(m), new HighResolutionModule(channels, cfg.blocks, multiScaleOutput || m < cfg.modules - 1)));
  }
  forward(): Tensor {
    throw new Error('Stage takes a list of branch inputs: use run()');
  }
  run(xs: Tensor[]): Tensor[] {
    let cur = xs;
    for (const m of this.modules) cur = m.run(cur);
    return cur;
  }
}

/** The reference's _make_transition_layer: adapts widths and opens one new, half-resolution branch. */
function transition(pre: number[], cur: number[]): ModuleList {
  const items: (Module | null)[] = cur.map((c, i) => {
    if (i < pre.length) {
      return c === pre[i] ? null : new Sequential(conv3x3(pre[i]!, c, 1), new BatchNorm2d(c), new ReLU());
    }
    const convs: Module[] = [];
    for (let j = 0; j < i + 1 - pre.length; j++) {
      const cin = pre[pre.length - 1]!;
      const cout = j === i - pre.length ? c : cin;
      convs.push(new Sequential(conv3x3(cin, cout, 2), new BatchNorm2d(cout), new ReLU()));
    }
    return new Sequential(...convs);
  });
  return new ModuleList(items);
}

export class HRNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly layer1: Sequential;
  private readonly transitions: ModuleList[];
  private readonly stages: Stage[];
  readonly finalLayer: Conv2d;

  constructor(readonly config: HRNetConfig) {
    super();
    const c = config;
    this.conv1 = this.registerModule('conv1', conv3x3(c.inChannels, c.stemChannels, 2));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(c.stemChannels));
    this.conv2 = this.registerModule('conv2', conv3x3(c.stemChannels, c.stemChannels, 2));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(c.stemChannels));
    this.registerModule('relu', new ReLU());
    const blocks: Bottleneck[] = [];
    let inPlanes = c.stemChannels;
    for (let b = 0; b < c.layer1Blocks; b++) {
      blocks.push(new Bottleneck(inPlanes, c.layer1Planes));
      inPlanes = c.layer1Planes * BOTTLENECK_EXPANSION;
    }
    this.layer1 = this.registerModule('layer1', new Sequential(...blocks));
    this.transitions = [];
    this.stages = [];
    let pre = [inPlanes];
    c.stages.forEach((stageCfg, s) => {
      const channels = Array.from({ length: s + 2 }, (_, b) => c.width * 2 ** b);
      this.transitions.push(this.registerModule(`transition${s + 1}`, transition(pre, channels)));
      const last = s === c.stages.length - 1;
      this.stages.push(this.registerModule(`stage${s + 2}`, new Stage(channels, stageCfg, !last)));
      pre = channels;
    });
    this.finalLayer = this.registerModule('final_layer', new Conv2d(c.width, c.numJoints, 1));
    this.initWeights();
  }

  /**
   * Kaiming normal (fan_out, relu) for the convolutions, BatchNorm weight 1 / bias 0, and the final
   * layer N(0, 0.001) with bias 0 as the reference. The reference's N(0, 0.001) everywhere is meant for
   * starting from ImageNet weights: from scratch, a BatchNorm'd convolution with so small a weight has
   * an effective step size of lr / |w|^2, and training crawls (measured: validation AP 0.24 after 330
   * steps on 178 images, against the Kaiming start's in docs/landmarks.md).
   */
  private initWeights(): void {
    for (const [name, t] of this.namedParameters()) {
      if (name.startsWith('final_layer')) {
        if (t.ndim === 4) t.normal_(0, 0.001);
        else t.fill_(0);
      } else if (t.ndim === 4) {
        kaimingNormal_(t, { mode: 'fanOut', nonlinearity: 'relu' });
      }
    }
  }

  /** (N, inChannels, H, W) -> heatmaps (N, numJoints, H/4, W/4). */
  forward(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = step(out, x, (t) => this.bn1.forward(t)).relu_();
    out = step(out, x, (t) => this.conv2.forward(t));
    out = step(out, x, (t) => this.bn2.forward(t)).relu_();
    out = step(out, x, (t) => this.layer1.forward(t));
    let xs: Tensor[] = [out];
    for (let s = 0; s < this.stages.length; s++) {
      const items = this.transitions[s]!.items;
      const inputs = items.map((m, i) => (m === null ? xs[i]! : m.forward(i < xs.length ? xs[i]! : xs[xs.length - 1]!)));
      for (const t of xs) if (!inputs.includes(t)) t.dispose();
      xs = this.stages[s]!.run(inputs);
    }
    const heatmaps = this.finalLayer.forward(xs[0]!);
    for (const t of xs) t.dispose();
    return heatmaps;
  }
}
