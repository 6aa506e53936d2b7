/**
 * The image DeepSurv network. One shared encoder reads every image channel as its own one-channel
 * image (for the patch variant: the five vertebrae of a batch of B patients are one batch of 5B
 * patches), the features are combined per patient (pooling.ts: mean or concat), the standardised
 * clinical covariates are appended, and the DeepSurv head (the tabular model's MLP, reused) gives one
 * log hazard ratio. Without clinical covariates it is the image-only model.
 */
import { cat, Module, type ResNet, type Tensor } from '../../torch/index.js';
import { buildRiskHead } from '../deepsurv/network.js';
import type { Architecture } from '../deepsurv/config.js';
import { buildEncoder } from './encoder.js';
import type { ImageModelConfig } from './config.js';

export interface RiskWithMaps {
  risk: Tensor;
  /** The encoder's last block output (B * C, features, h, w), for Grad-CAM. */
  maps: Tensor;
}

export class ImageSurvNetwork extends Module {
  readonly encoder: ResNet;
  readonly head: Module;
  readonly headArchitecture: Architecture;

  constructor(readonly config: ImageModelConfig, readonly channels: number, readonly clinicalCount: number) {
    super();
    this.encoder = this.registerModule('encoder', buildEncoder(config.encoder));
    const imageFeatures = this.encoder.featureSize * (config.pool === 'concat' ? channels : 1);
    this.headArchitecture = {
      inFeatures: imageFeatures + clinicalCount,
      layers: config.head.layers,
      width: config.head.width,
      activation: config.head.activation,
      dropout: config.head.dropout,
      batchNorm: false,
    };
    this.head = this.registerModule('head', buildRiskHead(this.headArchitecture));
  }

  /** Image-only form of `risk` (Module's one-input interface). */
  forward(images: Tensor): Tensor {
    return this.risk(images, null);
  }

  /** images: float (B, C, S, S) in [0, 1]; clinical: standardised (B, p) or null; -> (B, 1). */
  risk(images: Tensor, clinical: Tensor | null): Tensor {
    const { risk, maps } = this.riskWithMaps(images, clinical);
    maps.dispose();
    return risk;
  }

  riskWithMaps(images: Tensor, clinical: Tensor | null): RiskWithMaps {
    const [b, c, h, w] = images.shape;
    if (c !== this.channels) throw new RangeError(`network expects ${this.channels} channels, got ${c}`);
    if ((clinical === null ? 0 : clinical.shape[1]) !== this.clinicalCount) throw new RangeError(`network expects ${this.clinicalCount} clinical covariates`);
    const maps = this.encoder.featureMaps(images.reshape([b * c, 1, h, w]));
    const pooled = maps.mean([2, 3]); // (B*C, F): the ResNet's global average pool
    const perImage = pooled.reshape([b, c, -1]);
    const features = this.config.pool === 'mean' ? perImage.mean(1) : perImage.flatten(1);
    const input = clinical === null ? features : cat([features, clinical.to(features.dtype)], 1);
    return { risk: this.head.forward(input), maps };
  }
}
