/** Creating tensors from JavaScript data, constants, ranges and random numbers. */
import { native, type Handle } from './native.js';
import { wrap, type DType, type Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** 'cpu' (default), or 'cuda' / 'cuda:N' with a CUDA libtorch. */
  device?: string;
}

export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | number[]
  | NestedNumbers;
export interface NestedNumbers extends Array<number | NestedNumbers> {}

function nativeDTypeOf(data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new TypeError(`tensor(): unsupported typed array ${data.constructor.name}`);
}

// Shape of a nested number array, checking that it is rectangular.
function nestedShape(data: unknown[]): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(data: unknown[], shape: number[], depth: number, out: number[]): void {
  if (data.length !== shape[depth]) throw new RangeError(`tensor(): ragged nested array at depth ${depth}`);
  for (const item of data) {
    if (depth + 1 < shape.length) {
      if (!Array.isArray(item)) throw new RangeError(`tensor(): ragged nested array at depth ${depth + 1}`);
      flatten(item, shape, depth + 1, out);
    } else {
      if (typeof item !== 'number') throw new TypeError(`tensor(): expected numbers, got ${typeof item}`);
      out.push(item);
    }
  }
}

function typedFromNumbers(values: number[], dtype: DType): ArrayBufferView {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case 'int32': return Int32Array.from(values);
    case 'bool': return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
    case 'uint8': return Uint8Array.from(values);
  }
}

/**
 * A tensor holding a copy of data. Without a shape, data is 1-d (or nested arrays give the shape).
 * Default dtype: that of the typed array (Int32Array -> int64, as indices), float32 for numbers.
 */
export function tensor(data: TensorData, shape?: number[], opts: TensorOptions = {}): Tensor {
  let values: ArrayBufferView;
  let sourceType: DType;
  let dims: number[];
  if (Array.isArray(data)) {
    dims = nestedShape(data);
    const flat: number[] = [];
    if (dims.length > 1) flatten(data, dims, 0, flat);
    const numbers = dims.length > 1 ? flat : (data as number[]);
    sourceType = opts.dtype ?? 'float32';
    values = typedFromNumbers(numbers, sourceType);
  } else {
    values = data;
    sourceType = nativeDTypeOf(data);
    if (sourceType === 'uint8' && opts.dtype === 'bool') {
      values = Uint8Array.from(data as Uint8Array, (v) => (v !== 0 ? 1 : 0));
      sourceType = 'bool';
    }
    dims = [(data as Float32Array).length];
  }
  if (shape !== undefined) dims = shape;
  const target = opts.dtype ?? (sourceType === 'int32' ? 'int64' : sourceType);
  const device = opts.device ?? null;
  if (target === sourceType) {
    return wrap(native.fromBuffer(values, dims, sourceType, device, opts.requiresGrad ?? false));
  }
  const raw: Handle = native.fromBuffer(values, dims, sourceType, device, false);
  try {
    const converted = wrap(native.to(raw, target, null));
    if (opts.requiresGrad) converted.setRequiresGrad(true);
    return converted;
  } finally {
    native.dispose(raw);
  }
}

/** A 0-d tensor holding one number. */
export function scalar(value: number, opts: TensorOptions = {}): Tensor {
  return full([], value, opts);
}

export function zeros(shape: number[], opts: TensorOptions = {}): Tensor {
  return wrap(native.zeros(shape, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

export function ones(shape: number[], opts: TensorOptions = {}): Tensor {
  return wrap(native.ones(shape, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

export function full(shape: number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  return wrap(native.full(shape, value, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, device: t.device, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, { dtype: t.dtype, device: t.device, ...opts });
}

/** 0, 1, ..., n-1 (int64 by default); arange(start, end, step) as in PyTorch with `range`. */
export function arange(n: number, opts: TensorOptions = {}): Tensor {
  return range(0, n, 1, opts);
}

export function range(start: number, end: number, step = 1, opts: TensorOptions = {}): Tensor {
  return wrap(native.arange(start, end, step, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  return wrap(native.linspace(start, end, steps, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

/** Standard normal numbers from libtorch's generator (seed it with manualSeed). */
export function randn(shape: number[], opts: TensorOptions = {}): Tensor {
  return wrap(native.randn(shape, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

/** Uniform numbers in [0, 1) from libtorch's generator. */
export function rand(shape: number[], opts: TensorOptions = {}): Tensor {
  return wrap(native.rand(shape, opts.dtype ?? null, opts.device ?? null, opts.requiresGrad ?? false));
}

/** Integers in [low, high). */
export function randint(low: number, high: number, shape: number[], opts: TensorOptions = {}): Tensor {
  return wrap(native.randint(low, high, shape, opts.dtype ?? null, opts.device ?? null));
}

export function randperm(n: number, opts: TensorOptions = {}): Tensor {
  return wrap(native.randperm(n, opts.dtype ?? null, opts.device ?? null));
}

export function eye(n: number, opts: TensorOptions = {}): Tensor {
  return wrap(native.eye(n, opts.dtype ?? null, opts.device ?? null));
}
