/**
 * The keypoint detector's optimizer: Adam (torch/savable-adamw.ts with no weight decay) over every
 * parameter of the network, so that training and its benchmark step the same way. A checkpoint keys
 * the moments by parameter name ("m.<name>"), and the denominator keeps PyTorch's rounding order,
 * which the detector has always trained with (savable-adamw.ts says why the order matters).
 */
import { SavableAdamW } from '../torch/index.js';
import type { HRNet } from './hrnet.js';

export function detectorAdam(net: HRNet, lr: number): SavableAdamW {
  const named = net.namedParameters();
  const params = [...named.values()];
  return new SavableAdamW(params, params.map(() => false), { lr, names: [...named.keys()], denominator: 'sqrt(v) / sqrt(bc2)' });
}
