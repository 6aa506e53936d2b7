/**
 * The image DeepSurv network. One shared encoder reads every image channel as its own one-channel
 * image (for the patch variant: the five vertebrae of a batch of B patients are one batch of 5B
 * patches), the features are combined per patient (pooling.ts: mean or concat), the standardised
 * clinical covariates are appended, and the DeepSurv head (the tabular model's MLP, reused) gives one
 * log hazard ratio. Without clinical covariates it is the image-only model.
 *
 * With clinical covariates and `clinicalFallback` (the default) the network also holds a linear Cox
 * term in the covariates, zero and frozen while the network trains (so training is the joint head's,
 * unchanged). After training, train.ts compares the trained network with the clinical-only Cox model
 * on the validation rows and keeps the better: the Cox model is this same network with the Cox fit in
 * that term and the head's output layer at zero. So radiographs that carry nothing leave the clinical
 * model, instead of a head that fitted the pictures' noise (C 0.485 against CoxPH's 0.729 on a cohort
 * whose radiographs were handed to other patients). Model folders of format 2 have no such term.
 */
import { cat, Linear, Module, noGrad, scope, tensor, type ResNet, type Tensor } from '../../torch/index.js';
import { buildRiskHead } from '../deepsurv/network.js';
import type { Architecture } from '../deepsurv/config.js';
import { buildEncoder } from './encoder.js';
import type { ImageModelConfig } from './config.js';

export interface RiskWithMaps {
  risk: Tensor;
  /** The encoder's last block output (B * C, features, h, w), for Grad-CAM. */
  maps: Tensor;
}

/** What scoring, Grad-CAM and the model folder need of a network: ImageSurvNetwork or EnsembleSurvNetwork. */
export interface RiskNetwork extends Module {
  readonly clinicalCount: number;
  risk(images: Tensor, clinical: Tensor | null): Tensor;
  riskWithMaps(images: Tensor, clinical: Tensor | null): RiskWithMaps;
}

export class ImageSurvNetwork extends Module implements RiskNetwork {
  readonly encoder: ResNet;
  readonly head: Module;
  readonly headArchitecture: Architecture;
  /** The linear Cox term in the covariates (zero unless the clinical fallback was taken; null without covariates or fallback). */
  readonly clinicalTerm: Linear | null;

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
    // Made after the head, so the encoder and head start from the same random draws with or without it.
    this.clinicalTerm = clinicalCount > 0 && config.clinicalFallback ? this.registerModule('clinical', new Linear(clinicalCount, 1, false)) : null;
    if (this.clinicalTerm !== null) noGrad(() => this.clinicalTerm!.weight.fill_(0));
  }

  /** The head's output layer (its last Linear). */
  headOutput(): Linear {
    const layers = [...this.head.namedChildren().values()];
    const last = layers[layers.length - 1];
    if (!(last instanceof Linear)) throw new Error('the risk head must end in a Linear layer');
    return last;
  }

  /** Sets the linear clinical term's coefficients (per standardised covariate). */
  setClinicalCoefficients(beta: ArrayLike<number>): void {
    if (this.clinicalTerm === null) throw new Error('this network has no separate clinical term');
    if (beta.length !== this.clinicalCount) throw new RangeError(`${this.clinicalCount} coefficients expected, got ${beta.length}`);
    const w = this.clinicalTerm.weight;
    noGrad(() => scope(() => void w.copy_(tensor(Float32Array.from(beta), [1, this.clinicalCount]).to(w.dtype))));
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
    const maps = this.encoder.featureMaps(images.reshape([b * c, 1, h, w]));
    return { risk: this.riskFromMaps(maps, b, clinical), maps };
  }

  /** The rest of the forward pass from the encoder's last maps (B * C, features, h, w): pooling, covariates, head. */
  riskFromMaps(maps: Tensor, b: number, clinical: Tensor | null): Tensor {
    if ((clinical === null ? 0 : clinical.shape[1]) !== this.clinicalCount) throw new RangeError(`network expects ${this.clinicalCount} clinical covariates`);
    const pooled = maps.mean([2, 3]); // (B*C, F): the ResNet's global average pool
    const perImage = pooled.reshape([b, this.channels, -1]);
    const features = this.config.pool === 'mean' ? perImage.mean(1) : perImage.flatten(1);
    const z = clinical === null ? null : clinical.to(features.dtype);
    const input = z === null ? features : cat([features, z], 1);
    const head = this.head.forward(input);
    return this.clinicalTerm === null || z === null ? head : head.add(this.clinicalTerm.forward(z));
  }
}
