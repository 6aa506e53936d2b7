/**
 * Parameter initialisation as torch.nn.init (in place, from libtorch's seeded generator).
 * Fans follow PyTorch: fan_in = in_channels * kernel area, fan_out = out_channels * kernel area.
 */
import type { Tensor } from '../tensor.js';

export type Nonlinearity = 'linear' | 'relu' | 'leaky_relu' | 'selu' | 'tanh' | 'sigmoid';

export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const shape = t.shape;
  if (shape.length < 2) throw new Error(`init: fan needs a tensor with at least 2 dimensions, got [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] as number) * receptive, fanOut: (shape[0] as number) * receptive };
}

export function gain(nonlinearity: Nonlinearity, negativeSlope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid': return 1;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
    case 'selu': return 3 / 4;
    case 'tanh': return 5 / 3;
  }
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const fan = (opts.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  return gain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** He et al. (2015) normal initialisation. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return t.normal_(0, kaimingStd(t, opts));
}

/** He et al. (2015) uniform initialisation; PyTorch's default for Linear/Conv uses a = sqrt(5). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return t.uniform_(-bound, bound);
}

export function xavierUniform_(t: Tensor, gainValue = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gainValue * Math.sqrt(6 / (fanIn + fanOut));
  return t.uniform_(-bound, bound);
}

export function uniform_(t: Tensor, from: number, to: number): Tensor {
  return t.uniform_(from, to);
}

export function constant_(t: Tensor, value: number): Tensor {
  return t.fill_(value);
}
