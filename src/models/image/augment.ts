/**
 * Training-time augmentation of one-channel images (each patch on its own): a small random rotation,
 * scale and shift through the engine's affine_grid / grid_sample (border padding, so no black
 * corners appear that a network could read as anatomy), then a random contrast and brightness. All
 * draws come from the caller's Random, so an epoch's augmentation is fixed by its seed.
 */
import { F, tensor, type Tensor } from '../../torch/index.js';
import type { Random } from '../../util/random.js';
import type { AugmentConfig } from './config.js';

export function augmentImages(x: Tensor, cfg: AugmentConfig, rng: Random): Tensor {
  const [n, c, h, w] = x.shape;
  const theta = new Float32Array(n * 6);
  const gain = new Float32Array(n);
  const offset = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const angle = (rng.between(-cfg.rotate, cfg.rotate) * Math.PI) / 180;
    const s = rng.between(1 - cfg.scale, 1 + cfg.scale);
    const tx = rng.between(-cfg.shift, cfg.shift) * 2;
    const ty = rng.between(-cfg.shift, cfg.shift) * 2;
    const cos = Math.cos(angle) / s, sin = Math.sin(angle) / s;
    theta.set([cos, -sin, tx, sin, cos, ty], i * 6);
    gain[i] = rng.between(1 - cfg.contrast, 1 + cfg.contrast);
    offset[i] = rng.between(-cfg.brightness, cfg.brightness);
  }
  const grid = F.affineGrid(tensor(theta, [n, 2, 3]), [n, c, h, w], false);
  const moved = F.gridSample(x, grid, { mode: 'bilinear', paddingMode: 'border', alignCorners: false });
  return moved.mul(tensor(gain, [n, 1, 1, 1])).add(tensor(offset, [n, 1, 1, 1])).clamp(0, 1);
}
