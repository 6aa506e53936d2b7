/**
 * Grad-CAM (Selvaraju et al. 2017) for the risk output: with A^k the k-th feature map of the
 * encoder's last block (for each patch) and y the log hazard ratio,
 *   alpha_k = mean over (i, j) of dy/dA^k_ij,   cam = ReLU(sum_k alpha_k A^k),
 * then upsampled bilinearly to the patch; the caller maps it back onto the original radiograph through
 * the preprocessing transform (src/preprocess warpHeatmapBack), where src/imaging/heatmap-overlay.ts draws it.
 */
import { F, noGrad, scope, tensor, type Tensor } from '../../torch/index.js';
import { imagesAtSize } from './image-batch.js';
import type { RiskWithMaps } from './network.js';
import type { ImageModel } from './model.js';
import type { ClinicalValues } from './clinical.js';

export interface CamMaps {
  /** The risk the maps explain (one image). */
  risk: number;
  /** (count, h, w) row-major: one map per encoder input (patch). */
  cams: Float32Array;
  count: number;
  h: number;
  w: number;
}

/** Grad-CAM of the summed risk over whatever `forward` builds (the formula in the file comment). */
export function gradCamFromMaps(forward: () => RiskWithMaps, parameters: Tensor[]): CamMaps {
  try {
    return scope(() => {
      const { risk, maps } = forward();
      maps.retainGrad();
      risk.sum().backward();
      const grad = maps.grad;
      if (grad === null) throw new Error('Grad-CAM: no gradient reached the feature maps');
      const alpha = grad.mean([2, 3], true);
      const cam = alpha.mul(maps).sum(1).relu().detach();
      const [count, , h, w] = maps.shape;
      return { risk: risk.detach().sum().item(), cams: cam.toFloat32Array(), count, h, w };
    });
  } finally {
    for (const p of parameters) p.zeroGrad_();
  }
}

/**
 * The model's Grad-CAM for one preprocessed image set (uint8 (1, C, S, S) as the variant), each
 * patch's map upsampled to the variant's pixel grid (C, S, S) and scaled so the largest value over
 * all patches is 1 (all zero when the risk has no positive evidence anywhere).
 */
export function gradCam(model: ImageModel, images: Tensor, clinical: ClinicalValues): { risk: number; maps: Float32Array; channels: number; size: number } {
  if (images.shape[0] !== 1) throw new RangeError('gradCam explains one image set at a time');
  const z = model.standardizedClinical([clinical]);
  const sized = imagesAtSize(images, model.config.inputSize);
  const network = model.network.eval();
  try {
    const cam = gradCamFromMaps(() => {
      const x = sized.to('float32').div(255);
      const c = z === null ? null : tensor(Float32Array.from(z), [1, z.length]);
      return network.riskWithMaps(x, c);
    }, network.parameters());
    const S = model.input.size;
    const up = noGrad(() => scope(() => F.interpolate(tensor(cam.cams, [cam.count, 1, cam.h, cam.w]), { size: S, mode: 'bilinear', alignCorners: false }).toFloat32Array()));
    let max = 0;
    for (const v of up) max = Math.max(max, v);
    if (max > 0) for (let i = 0; i < up.length; i++) up[i] = Math.max(0, up[i] / max);
    return { risk: cam.risk, maps: up, channels: cam.count, size: S };
  } finally {
    if (sized !== images) sized.dispose();
  }
}
