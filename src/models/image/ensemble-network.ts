/**
 * The cross-fitted image DeepSurv ensemble (format 4; cross-fit.ts trains it):
 *
 *   risk = fusion · [ mean_k member_k(images), z ]
 *
 * K image-only DeepSurv networks (ImageSurvNetwork with no covariates), each trained on all training
 * folds but its own, give the image's log hazard ratio; their mean is the image score. The fusion is
 * a Cox model (a Linear layer without bias) of that score and the standardised clinical covariates z,
 * fitted on the members' out-of-fold scores, so that its weight on the image is what the image adds
 * to the covariates on patients the networks had not seen. Radiographs that carry nothing get a weight
 * near zero, and the model is the clinical Cox model, with no noisy either/or choice. The same K
 * members serve clinical models 1-3 and image only; they differ only in the fusion.
 *
 * Why (issue 20): a joint network of image and covariates, early-stopped on the C-index of ~17
 * validation events, stopped at epoch 1 on one machine and reached a test C of 0.81 on another; the
 * image-only model, without covariates to lean on, did not move. A mean of K members trained on a
 * fixed schedule leaves less to chance, and the fusion weight is estimated on all training patients
 * (about 100 events) instead of one validation fold.
 */
import { cat, Linear, Module, noGrad, scope, tensor, type Tensor } from '../../torch/index.js';
import type { ImageModelConfig } from './config.js';
import { ImageSurvNetwork, type RiskWithMaps } from './network.js';

export class EnsembleSurvNetwork extends Module {
  readonly members: ImageSurvNetwork[];
  /** [image score, covariates...] -> log hazard ratio. */
  readonly fusion: Linear;

  constructor(readonly config: ImageModelConfig, readonly channels: number, readonly clinicalCount: number, memberCount: number) {
    super();
    if (!Number.isInteger(memberCount) || memberCount < 2) throw new RangeError(`an ensemble needs at least 2 members, got ${memberCount}`);
    const memberConfig: ImageModelConfig = { ...config, clinicalModel: 0 };
    this.members = Array.from({ length: memberCount }, (_, k) => this.registerModule(`member${k}`, new ImageSurvNetwork(memberConfig, channels, 0)));
    this.fusion = this.registerModule('fusion', new Linear(1 + clinicalCount, 1, false));
    noGrad(() => this.fusion.weight.fill_(0));
  }

  /** Sets the fusion's Cox coefficients: [image score, covariates...]. */
  setFusion(beta: ArrayLike<number>): void {
    if (beta.length !== 1 + this.clinicalCount) throw new RangeError(`${1 + this.clinicalCount} fusion coefficients expected, got ${beta.length}`);
    const w = this.fusion.weight;
    noGrad(() => scope(() => void w.copy_(tensor(Float32Array.from(beta), [1, beta.length]).to(w.dtype))));
  }

  forward(images: Tensor): Tensor {
    return this.risk(images, null);
  }

  risk(images: Tensor, clinical: Tensor | null): Tensor {
    const { risk, maps } = this.riskWithMaps(images, clinical);
    maps.dispose();
    return risk;
  }

  private scoreWithMaps(images: Tensor): { score: Tensor; maps: Tensor } {
    const [b, c, h, w] = images.shape;
    if (c !== this.channels) throw new RangeError(`network expects ${this.channels} channels, got ${c}`);
    const flat = images.reshape([b * c, 1, h, w]);
    const each = this.members.map((m) => m.encoder.featureMaps(flat));
    // The members' last maps side by side along the feature axis, and each member's risk computed from
    // its slice of that one tensor: Grad-CAM of the ensemble is then that of one wide last layer.
    const maps = cat(each, 1);
    let offset = 0;
    const risks = this.members.map((m, k) => {
      const width = each[k].shape[1];
      const slice = maps.narrow(1, offset, width);
      offset += width;
      return m.riskFromMaps(slice, b, null);
    });
    return { score: cat(risks, 1).mean(1, true), maps };
  }

  riskWithMaps(images: Tensor, clinical: Tensor | null): RiskWithMaps {
    if ((clinical === null ? 0 : clinical.shape[1]) !== this.clinicalCount) throw new RangeError(`network expects ${this.clinicalCount} clinical covariates`);
    const { score, maps } = this.scoreWithMaps(images);
    const input = clinical === null ? score : cat([score, clinical.to(score.dtype)], 1);
    return { risk: this.fusion.forward(input), maps };
  }
}
