/**
 * The calling convention of every export of the libtorch addon, for the fuzz test: one valid call per
 * export (or several, where an argument changes meaning) and the kind of each argument, which says
 * which hostile values it must refuse with a JS error. Read from the argument lists documented beside
 * each entry point in native/src/*.cc. A new export needs an entry here (the fuzz test fails without).
 *
 * Kinds (a trailing ? also allows null/undefined):
 *   T tensor handle, H handle that may be disposed (dispose/isDisposed), L array of tensors,
 *   I integer, IL integer or array of integers, N any number (NaN and Infinity are values),
 *   F finite number, FL finite number or array of them, B boolean, S string naming one of a set
 *   (dtype, device, mode, ...), X number or boolean operand, D typed array or ArrayBuffer,
 *   O optimizer options, P optimizer, A anything (only "no crash" is required).
 */

/** Makes the arguments of a valid call; every tensor it makes is disposed after the call. */
export interface Maker {
  /** A float32 tensor of this shape with values 0.1, 0.2, ... (or of the given dtype). */
  t(shape: number[], dtype?: string): number;
  /** A float32 tensor that requires grad. */
  param(shape: number[]): number;
  /** A result handle made from others (tracked for disposal). */
  keep(handle: number): number;
  /** A live optimizer over one parameter. */
  optimizer(): unknown;
  native: Record<string, (...args: unknown[]) => unknown>;
}

export interface Signature {
  kinds: string;
  args: (m: Maker) => unknown[];
}

const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'remainder', 'rsub', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'maximum',
  'minimum', 'logicalAnd', 'logicalOr', 'atan2'];
const UNARY = ['neg', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'abs', 'sign', 'floor', 'ceil', 'round', 'sin', 'cos',
  'square', 'reciprocal', 'erf', 'sigmoid', 'logSigmoid', 'tanh', 'relu', 'selu', 'silu', 'gelu', 'isnan', 'isfinite',
  'logicalNot', 'relu_', 'nonzero', 'contiguous', 'clone', 'all', 'any', 'item', 'shape', 'dtype', 'device', 'requiresGrad',
  'isLeaf', 'detach', 'zeroGrad'];
const FACTORIES = ['zeros', 'ones', 'randn', 'rand'];
const LOSSES = ['mseLoss', 'l1Loss'];

const one = (kinds: string, args: (m: Maker) => unknown[]): Signature[] => [{ kinds, args }];

export const SIGNATURES: Record<string, Signature[]> = {
  dispose: one('H', (m) => [m.t([2])]),
  isDisposed: one('H', (m) => [m.t([2])]),
  liveTensorCount: one('', () => []),
  testAgeFreeSlots: one('I', () => [5_000_000]),

  fromBuffer: one('D IL S S? B?', () => [new Float32Array(6), [2, 3], 'float32', 'cpu', false]),
  toBuffer: one('T S?', (m) => [m.t([2, 3]), 'float64']),
  full: one('IL X S? S? B?', () => [[2, 2], 1.5, 'float32', 'cpu', false]),
  arange: one('F F F S? S? B?', () => [0, 5, 1, 'float32', 'cpu', false]),
  linspace: one('F F I S? S? B?', () => [0, 1, 5, 'float32', 'cpu', false]),
  randint: one('I I IL S? S?', () => [0, 10, [3], 'int64', 'cpu']),
  randperm: one('I S? S?', () => [5, 'int64', 'cpu']),
  eye: one('I S? S?', () => [3, 'float32', 'cpu']),

  matmul: one('T T', (m) => [m.t([2, 3]), m.t([3, 4])]),
  leakyRelu: one('T F', (m) => [m.t([4]), 0.01]),
  elu: one('T F', (m) => [m.t([4]), 1]),
  softplus: one('T F F', (m) => [m.t([4]), 1, 20]),
  softmax: one('T I', (m) => [m.t([2, 3]), 1]),
  logSoftmax: one('T I', (m) => [m.t([2, 3]), 1]),
  cumsum: one('T I', (m) => [m.t([2, 3]), 1]),
  cumprod: one('T I', (m) => [m.t([2, 3]), 1]),
  logcumsumexp: one('T I', (m) => [m.t([2, 3]), 1]),
  add_: [
    { kinds: 'T T A', args: (m) => [m.t([3]), m.t([3])] },
    { kinds: 'T X A', args: (m) => [m.t([3]), 2.5, true] },
  ],
  mul_: [
    { kinds: 'T T A', args: (m) => [m.t([3]), m.t([3])] },
    { kinds: 'T X A', args: (m) => [m.t([3]), 2.5, true] },
  ],
  where: [
    { kinds: 'T T T A A', args: (m) => [m.t([3], 'bool'), m.t([3]), m.t([3])] },
    { kinds: 'T X X A A', args: (m) => [m.t([3], 'bool'), 1.5, 2.5, true, true] },
  ],
  clamp: one('T N? N?', (m) => [m.t([4]), 0.2, 0.3]),
  sum: one('T IL? B', (m) => [m.t([2, 3]), [1], false]),
  mean: one('T IL? B', (m) => [m.t([2, 3]), [1], false]),
  prod: one('T I? B', (m) => [m.t([2, 3]), 1, false]),
  logsumexp: one('T IL? B', (m) => [m.t([2, 3]), [1], false]),
  std: one('T IL? B B', (m) => [m.t([2, 3]), [1], true, false]),
  var: one('T IL? B B', (m) => [m.t([2, 3]), [1], true, false]),
  max: one('T I? B', (m) => [m.t([2, 3]), 1, false]),
  min: one('T I? B', (m) => [m.t([2, 3]), 1, false]),
  argmax: one('T I? B', (m) => [m.t([2, 3]), 1, false]),
  argmin: one('T I? B', (m) => [m.t([2, 3]), 1, false]),

  reshape: one('T IL', (m) => [m.t([2, 3]), [3, 2]]),
  view: one('T IL', (m) => [m.t([2, 3]), [6]]),
  permute: one('T IL', (m) => [m.t([2, 3]), [1, 0]]),
  transpose: one('T I I', (m) => [m.t([2, 3]), 0, 1]),
  expand: one('T IL', (m) => [m.t([1, 3]), [2, 3]]),
  repeat: one('T IL', (m) => [m.t([2]), [2, 2]]),
  flip: one('T IL', (m) => [m.t([2, 3]), [0]]),
  narrow: one('T I I I', (m) => [m.t([4]), 0, 1, 2]),
  indexSelect: one('T I T', (m) => [m.t([4]), 0, m.t([2], 'int64')]),
  gather: one('T I T', (m) => [m.t([4]), 0, m.t([2], 'int64')]),
  scatter: one('T I T T', (m) => [m.t([4]), 0, m.t([2], 'int64'), m.t([2])]),
  scatterAdd: one('T I T T', (m) => [m.t([4]), 0, m.t([2], 'int64'), m.t([2])]),
  maskedSelect: one('T T', (m) => [m.t([3]), m.t([3], 'bool')]),
  maskedFill: one('T T N', (m) => [m.t([3]), m.t([3], 'bool'), -Infinity]),
  unsqueeze: one('T I', (m) => [m.t([3]), 0]),
  flatten: one('T I I', (m) => [m.t([2, 3]), 0, -1]),
  tril: one('T I', (m) => [m.t([3, 3]), 0]),
  triu: one('T I', (m) => [m.t([3, 3]), 0]),
  oneHot: one('T I', (m) => [m.t([3], 'int64'), 4]),
  pad: one('T IL N', (m) => [m.t([3]), [1, 1], 0]),
  slice: one('T I I? I? I?', (m) => [m.t([6]), 0, 1, 5, 2]),
  select: one('T I I', (m) => [m.t([2, 3]), 0, 1]),
  squeeze: one('T I?', (m) => [m.t([1, 3]), 0]),
  cat: one('L I', (m) => [[m.t([2]), m.t([3])], 0]),
  stack: one('L I', (m) => [[m.t([2]), m.t([2])], 0]),
  sort: one('T I B B?', (m) => [m.t([4]), 0, false, true]),
  topk: one('T I I B', (m) => [m.t([4]), 2, 0, true]),
  split: one('T IL I', (m) => [m.t([5]), [2, 3], 0]),
  to: one('T S? S?', (m) => [m.t([2]), 'float64', 'cpu']),

  linear: one('T T T?', (m) => [m.t([2, 3]), m.t([4, 3]), m.t([4])]),
  conv2d: one('T T T? IL IL IL I', (m) => [m.t([1, 1, 4, 4]), m.t([2, 1, 3, 3]), m.t([2]), [1, 1], [1, 1], [1, 1], 1]),
  convTranspose2d: one('T T T? IL IL IL I IL', (m) => [m.t([1, 2, 3, 3]), m.t([2, 1, 2, 2]), m.t([1]), [2, 2], [0, 0], [0, 0], 1, [1, 1]]),
  batchNorm: one('T T? T? T? T? B F F', (m) => [m.t([4, 3]), m.t([3]), m.t([3]), m.t([3]), m.t([3]), true, 0.1, 1e-5]),
  layerNorm: one('T IL T? T? F', (m) => [m.t([2, 3]), [3], m.t([3]), m.t([3]), 1e-5]),
  groupNorm: one('T I T? T? F', (m) => [m.t([1, 4, 2, 2]), 2, m.t([4]), m.t([4]), 1e-5]),
  maxPool2d: one('T IL IL IL IL B', (m) => [m.t([1, 1, 4, 4]), [2, 2], [2, 2], [0, 0], [1, 1], false]),
  avgPool2d: one('T IL IL IL B B', (m) => [m.t([1, 1, 4, 4]), [2, 2], [2, 2], [0, 0], false, true]),
  adaptiveAvgPool2d: one('T IL', (m) => [m.t([1, 1, 4, 4]), [2, 2]]),
  adaptiveMaxPool2d: one('T IL', (m) => [m.t([1, 1, 4, 4]), [2, 2]]),
  dropout: one('T F B', (m) => [m.t([4]), 0.5, true]),
  interpolate: [
    { kinds: 'T IL? FL? S B?', args: (m) => [m.t([1, 1, 2, 2]), [4, 4], null, 'bilinear', false] },
    { kinds: 'T IL? FL? S B?', args: (m) => [m.t([1, 1, 2, 2]), null, [2, 2], 'nearest', false] },
  ],
  affineGrid: one('T IL B', (m) => [m.t([1, 2, 3]), [1, 1, 4, 4], false]),
  gridSample: one('T T S S B', (m) => [m.t([1, 1, 4, 4]), m.t([1, 3, 3, 2]), 'bilinear', 'zeros', false]),
  smoothL1Loss: one('T T S? F', (m) => [m.t([3]), m.t([3]), 'mean', 1]),
  bceWithLogits: one('T T T? T? S?', (m) => [m.t([3]), m.t([3]), m.t([3]), m.t([3]), 'mean']),
  binaryCrossEntropy: one('T T T? S?', (m) => [m.t([3]), m.t([3]), m.t([3]), 'sum']),
  crossEntropy: one('T T T? S? I F', (m) => [m.t([2, 3]), m.t([2], 'int64'), m.t([3]), 'mean', -100, 0.1]),
  nllLoss: one('T T T? S? I', (m) => [m.t([2, 3]), m.t([2], 'int64'), m.t([3]), 'mean', -100]),

  setRequiresGrad: one('T B', (m) => [m.t([3]), true]),
  backward: one('T T? B?', (m) => {
    const x = m.param([3]);
    const y = m.keep(m.native.mul(x, 2.5, true) as number);
    return [y, m.t([3]), false];
  }),
  grad: one('T', (m) => [m.t([3])]),
  retainGrad: one('T', (m) => [m.keep(m.native.mul(m.param([3]), 2, true) as number)]),
  setGradEnabled: one('B', () => [true]),
  isGradEnabled: one('', () => []),
  copy_: one('T T', (m) => [m.t([3]), m.t([3])]),
  normal_: one('T F F', (m) => [m.t([3]), 0, 1]),
  uniform_: one('T F F', (m) => [m.t([3]), 0, 1]),
  fill_: one('T N', (m) => [m.t([3]), Number.NaN]),
  addInPlace_: [
    { kinds: 'T T X B?', args: (m) => [m.t([3]), m.t([3]), 0.5, false] },
    { kinds: 'T X X B', args: (m) => [m.t([3]), 2.5, 0.5, true] },
  ],
  manualSeed: one('I', () => [7]),
  setNumThreads: one('I', (m) => [m.native.getNumThreads()]),
  getNumThreads: one('', () => []),
  setMkldnnEnabled: one('B', () => [true]),
  runtimeInfo: one('', () => []),

  optimizerCreate: [
    { kinds: 'S L O', args: (m) => ['adam', [m.param([3])], { lr: 0.1 }] },
    { kinds: 'S L O', args: (m) => ['sgd', [m.param([3])], { lr: 0.1, momentum: 0.9 }] },
  ],
  optimizerStep: one('P', (m) => [m.optimizer()]),
  optimizerZeroGrad: one('P', (m) => [m.optimizer()]),
  optimizerGetLr: one('P', (m) => [m.optimizer()]),
  optimizerSetLr: one('P F', (m) => [m.optimizer(), 0.01]),
  optimizerDispose: one('P', (m) => [m.optimizer()]),
};

for (const name of BINARY) {
  SIGNATURES[name] = [
    { kinds: 'T T A', args: (m) => [m.t([3]), m.t([3])] },
    { kinds: 'T X A', args: (m) => [m.t([3]), 2.5, true] },
  ];
}
for (const name of UNARY) SIGNATURES[name] = one('T', (m) => [m.t([1])]);
for (const name of FACTORIES) SIGNATURES[name] = one('IL S? S? B?', () => [[2, 3], 'float32', 'cpu', false]);
for (const name of LOSSES) SIGNATURES[name] = one('T T S?', (m) => [m.t([3]), m.t([3]), 'mean']);

/** The numeric fields of the optimizer options and the flags; each is fuzzed on its own. */
export const OPTIMIZER_NUMBERS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'momentum', 'dampening'];
export const OPTIMIZER_FLAGS = ['amsgrad', 'nesterov'];
