/**
 * The Tensor class: a thin TypeScript wrapper around one libtorch tensor handle. Every method returns
 * a new tensor (libtorch's out-of-place ops); views share storage as in PyTorch.
 */
import { native, type Handle } from './native.js';
import { track, untrack, type Tracked } from './scope.js';

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8';
export type Scalar = number | boolean;
export type Operand = Tensor | Scalar;

// The addon's binary ops take (handle, handle) or (handle, number, true): handles are numbers too.
function operand(x: Operand): [Handle] | [Scalar, true] {
  return x instanceof Tensor ? [x.handle] : [x, true];
}

/** Dimensions as a list (a single number is one dimension). */
function dims(d: number | number[] | undefined): number[] | null {
  return d === undefined ? null : Array.isArray(d) ? d : [d];
}

export class Tensor implements Tracked {
  /** The addon's handle; internal to src/torch. */
  readonly handle: Handle;
  kept = false;
  disposed = false;
  registered = false;
  private cachedShape: number[] | undefined;
  private cachedDType: DType | undefined;

  constructor(handle: Handle) {
    this.handle = handle;
    track(this);
  }

  // ---- metadata ----
  get shape(): number[] {
    this.cachedShape ??= native.shape(this.handle) as number[];
    return this.cachedShape.slice();
  }
  get dtype(): DType {
    this.cachedDType ??= native.dtype(this.handle) as DType;
    return this.cachedDType;
  }
  get device(): string {
    return native.device(this.handle) as string;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  size(dim: number): number {
    const s = this.shape;
    return s[dim < 0 ? dim + s.length : dim] as number;
  }

  // ---- conversion to JavaScript (each call returns a fresh copy that the tensor does not share) ----
  toFloat32Array(): Float32Array {
    return new Float32Array(native.toBuffer(this.handle, 'float32') as ArrayBuffer);
  }
  toFloat64Array(): Float64Array {
    return new Float64Array(native.toBuffer(this.handle, 'float64') as ArrayBuffer);
  }
  toInt64Array(): BigInt64Array {
    return new BigInt64Array(native.toBuffer(this.handle, 'int64') as ArrayBuffer);
  }
  toUint8Array(): Uint8Array {
    return new Uint8Array(native.toBuffer(this.handle, this.dtype === 'bool' ? 'bool' : 'uint8') as ArrayBuffer);
  }
  /** The raw bytes in this tensor's own dtype (little-endian, C order). */
  toBytes(): Uint8Array {
    return new Uint8Array(native.toBuffer(this.handle) as ArrayBuffer);
  }
  /** Flat values as numbers (int64 beyond 2^53 lose precision). */
  toArray(): number[] {
    if (this.dtype === 'int64') return Array.from(this.toInt64Array(), Number);
    return Array.from(this.toFloat64Array());
  }
  /** The value of a one-element tensor. */
  item(): number {
    return native.item(this.handle) as number;
  }

  // ---- arithmetic (broadcasting; numbers allowed) ----
  add(other: Operand): Tensor { return wrap(native.add(this.handle, ...operand(other))); }
  sub(other: Operand): Tensor { return wrap(native.sub(this.handle, ...operand(other))); }
  /** other - this */
  rsub(other: Operand): Tensor { return wrap(native.rsub(this.handle, ...operand(other))); }
  mul(other: Operand): Tensor { return wrap(native.mul(this.handle, ...operand(other))); }
  div(other: Operand): Tensor { return wrap(native.div(this.handle, ...operand(other))); }
  pow(exponent: Operand): Tensor { return wrap(native.pow(this.handle, ...operand(exponent))); }
  remainder(other: Operand): Tensor { return wrap(native.remainder(this.handle, ...operand(other))); }
  maximum(other: Operand): Tensor { return wrap(native.maximum(this.handle, ...operand(other))); }
  minimum(other: Operand): Tensor { return wrap(native.minimum(this.handle, ...operand(other))); }
  atan2(other: Operand): Tensor { return wrap(native.atan2(this.handle, ...operand(other))); }
  matmul(other: Tensor): Tensor { return wrap(native.matmul(this.handle, other.handle)); }

  // ---- comparisons and logic (bool results) ----
  lt(other: Operand): Tensor { return wrap(native.lt(this.handle, ...operand(other))); }
  le(other: Operand): Tensor { return wrap(native.le(this.handle, ...operand(other))); }
  gt(other: Operand): Tensor { return wrap(native.gt(this.handle, ...operand(other))); }
  ge(other: Operand): Tensor { return wrap(native.ge(this.handle, ...operand(other))); }
  eq(other: Operand): Tensor { return wrap(native.eq(this.handle, ...operand(other))); }
  ne(other: Operand): Tensor { return wrap(native.ne(this.handle, ...operand(other))); }
  logicalAnd(other: Operand): Tensor { return wrap(native.logicalAnd(this.handle, ...operand(other))); }
  logicalOr(other: Operand): Tensor { return wrap(native.logicalOr(this.handle, ...operand(other))); }
  logicalNot(): Tensor { return wrap(native.logicalNot(this.handle)); }
  isnan(): Tensor { return wrap(native.isnan(this.handle)); }
  isfinite(): Tensor { return wrap(native.isfinite(this.handle)); }

  // ---- element-wise functions ----
  neg(): Tensor { return wrap(native.neg(this.handle)); }
  exp(): Tensor { return wrap(native.exp(this.handle)); }
  log(): Tensor { return wrap(native.log(this.handle)); }
  log1p(): Tensor { return wrap(native.log1p(this.handle)); }
  expm1(): Tensor { return wrap(native.expm1(this.handle)); }
  sqrt(): Tensor { return wrap(native.sqrt(this.handle)); }
  rsqrt(): Tensor { return wrap(native.rsqrt(this.handle)); }
  abs(): Tensor { return wrap(native.abs(this.handle)); }
  sign(): Tensor { return wrap(native.sign(this.handle)); }
  floor(): Tensor { return wrap(native.floor(this.handle)); }
  ceil(): Tensor { return wrap(native.ceil(this.handle)); }
  round(): Tensor { return wrap(native.round(this.handle)); }
  sin(): Tensor { return wrap(native.sin(this.handle)); }
  cos(): Tensor { return wrap(native.cos(this.handle)); }
  square(): Tensor { return wrap(native.square(this.handle)); }
  reciprocal(): Tensor { return wrap(native.reciprocal(this.handle)); }
  erf(): Tensor { return wrap(native.erf(this.handle)); }
  clamp(min?: number | null, max?: number | null): Tensor {
    return wrap(native.clamp(this.handle, min ?? null, max ?? null));
  }
  sigmoid(): Tensor { return wrap(native.sigmoid(this.handle)); }
  logSigmoid(): Tensor { return wrap(native.logSigmoid(this.handle)); }
  tanh(): Tensor { return wrap(native.tanh(this.handle)); }
  relu(): Tensor { return wrap(native.relu(this.handle)); }
  leakyRelu(negativeSlope = 0.01): Tensor { return wrap(native.leakyRelu(this.handle, negativeSlope)); }
  selu(): Tensor { return wrap(native.selu(this.handle)); }
  elu(alpha = 1): Tensor { return wrap(native.elu(this.handle, alpha)); }
  gelu(): Tensor { return wrap(native.gelu(this.handle)); }
  silu(): Tensor { return wrap(native.silu(this.handle)); }
  softplus(beta = 1, threshold = 20): Tensor { return wrap(native.softplus(this.handle, beta, threshold)); }
  softmax(dim: number): Tensor { return wrap(native.softmax(this.handle, dim)); }
  logSoftmax(dim: number): Tensor { return wrap(native.logSoftmax(this.handle, dim)); }

  // ---- reductions ----
  /** Sum over all elements, or over the given dimension(s). */
  sum(dim?: number | number[], keepdim = false): Tensor { return wrap(native.sum(this.handle, dims(dim), keepdim)); }
  mean(dim?: number | number[], keepdim = false): Tensor { return wrap(native.mean(this.handle, dims(dim), keepdim)); }
  prod(dim?: number, keepdim = false): Tensor { return wrap(native.prod(this.handle, dim ?? null, keepdim)); }
  logsumexp(dim?: number | number[], keepdim = false): Tensor { return wrap(native.logsumexp(this.handle, dims(dim), keepdim)); }
  /** Standard deviation (unbiased by default, as PyTorch). */
  std(dim?: number | number[], unbiased = true, keepdim = false): Tensor {
    return wrap(native.std(this.handle, dims(dim), unbiased, keepdim));
  }
  var(dim?: number | number[], unbiased = true, keepdim = false): Tensor {
    return wrap(native.var(this.handle, dims(dim), unbiased, keepdim));
  }
  /** Largest value overall, or along dim (values only; maxWithIndices gives the indices too). */
  max(dim?: number, keepdim = false): Tensor {
    if (dim === undefined) return wrap(native.max(this.handle, null, false));
    const [values, indices] = native.max(this.handle, dim, keepdim) as [Handle, Handle];
    native.dispose(indices);
    return wrap(values);
  }
  min(dim?: number, keepdim = false): Tensor {
    if (dim === undefined) return wrap(native.min(this.handle, null, false));
    const [values, indices] = native.min(this.handle, dim, keepdim) as [Handle, Handle];
    native.dispose(indices);
    return wrap(values);
  }
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.max(this.handle, dim, keepdim) as [Handle, Handle];
    return { values: wrap(values), indices: wrap(indices) };
  }
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.min(this.handle, dim, keepdim) as [Handle, Handle];
    return { values: wrap(values), indices: wrap(indices) };
  }
  argmax(dim?: number, keepdim = false): Tensor { return wrap(native.argmax(this.handle, dim ?? null, keepdim)); }
  argmin(dim?: number, keepdim = false): Tensor { return wrap(native.argmin(this.handle, dim ?? null, keepdim)); }
  all(): Tensor { return wrap(native.all(this.handle)); }
  any(): Tensor { return wrap(native.any(this.handle)); }
  cumsum(dim: number): Tensor { return wrap(native.cumsum(this.handle, dim)); }
  cumprod(dim: number): Tensor { return wrap(native.cumprod(this.handle, dim)); }
  /** log(cumsum(exp(x))) computed stably (Cox partial likelihood risk sets). */
  logcumsumexp(dim: number): Tensor { return wrap(native.logcumsumexp(this.handle, dim)); }

  // ---- shape and indexing ----
  reshape(shape: number[]): Tensor { return wrap(native.reshape(this.handle, shape)); }
  view(shape: number[]): Tensor { return wrap(native.view(this.handle, shape)); }
  permute(order: number[]): Tensor { return wrap(native.permute(this.handle, order)); }
  transpose(dim0: number, dim1: number): Tensor { return wrap(native.transpose(this.handle, dim0, dim1)); }
  /** Matrix transpose of a 2-d tensor. */
  t(): Tensor { return this.transpose(0, 1); }
  expand(shape: number[]): Tensor { return wrap(native.expand(this.handle, shape)); }
  repeat(repeats: number[]): Tensor { return wrap(native.repeat(this.handle, repeats)); }
  flip(dimsToFlip: number[]): Tensor { return wrap(native.flip(this.handle, dimsToFlip)); }
  /** Elements start..end (exclusive; end undefined = to the end) along dim, as x[start:end:step]. */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return wrap(native.slice(this.handle, dim, start ?? null, end ?? null, step));
  }
  narrow(dim: number, start: number, length: number): Tensor { return wrap(native.narrow(this.handle, dim, start, length)); }
  /** x.select(dim, i) drops dimension dim, as x[..., i, ...]. */
  select(dim: number, index: number): Tensor { return wrap(native.select(this.handle, dim, index)); }
  indexSelect(dim: number, index: Tensor): Tensor { return wrap(native.indexSelect(this.handle, dim, index.handle)); }
  gather(dim: number, index: Tensor): Tensor { return wrap(native.gather(this.handle, dim, index.handle)); }
  scatter(dim: number, index: Tensor, src: Tensor): Tensor { return wrap(native.scatter(this.handle, dim, index.handle, src.handle)); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.scatterAdd(this.handle, dim, index.handle, src.handle));
  }
  maskedSelect(mask: Tensor): Tensor { return wrap(native.maskedSelect(this.handle, mask.handle)); }
  maskedFill(mask: Tensor, value: number): Tensor { return wrap(native.maskedFill(this.handle, mask.handle, value)); }
  nonzero(): Tensor { return wrap(native.nonzero(this.handle)); }
  squeeze(dim?: number): Tensor { return wrap(native.squeeze(this.handle, dim ?? null)); }
  unsqueeze(dim: number): Tensor { return wrap(native.unsqueeze(this.handle, dim)); }
  flatten(startDim = 0, endDim = -1): Tensor { return wrap(native.flatten(this.handle, startDim, endDim)); }
  contiguous(): Tensor { return wrap(native.contiguous(this.handle)); }
  clone(): Tensor { return wrap(native.clone(this.handle)); }
  tril(diagonal = 0): Tensor { return wrap(native.tril(this.handle, diagonal)); }
  triu(diagonal = 0): Tensor { return wrap(native.triu(this.handle, diagonal)); }
  oneHot(numClasses = -1): Tensor { return wrap(native.oneHot(this.handle, numClasses)); }
  split(sizes: number[], dim = 0): Tensor[] {
    return (native.split(this.handle, sizes, dim) as Handle[]).map(wrap);
  }
  /** Sorted values and the indices they came from (stable). */
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.sort(this.handle, dim, descending, true) as [Handle, Handle];
    return { values: wrap(values), indices: wrap(indices) };
  }
  argsort(dim = -1, descending = false): Tensor {
    const [values, indices] = native.sort(this.handle, dim, descending, true) as [Handle, Handle];
    native.dispose(values);
    return wrap(indices);
  }
  topk(k: number, dim = -1, largest = true): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.topk(this.handle, k, dim, largest) as [Handle, Handle];
    return { values: wrap(values), indices: wrap(indices) };
  }

  // ---- dtype and device ----
  to(dtypeOrDevice: DType | string, device?: string): Tensor {
    const isDType = ['float32', 'float64', 'int64', 'int32', 'bool', 'uint8'].includes(dtypeOrDevice);
    return wrap(native.to(this.handle, isDType ? dtypeOrDevice : null, isDType ? (device ?? null) : dtypeOrDevice));
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  bool(): Tensor { return this.to('bool'); }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle) as boolean;
  }
  /** In place, as PyTorch's requires_grad_(); returns this. */
  setRequiresGrad(flag = true): this {
    native.setRequiresGrad(this.handle, flag);
    return this;
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle) as boolean;
  }
  /** The accumulated gradient (a new handle sharing its memory), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.handle) as Handle | null;
    return g === null ? null : wrap(g);
  }
  backward(gradient?: Tensor, retainGraph?: boolean): void {
    native.backward(this.handle, gradient?.handle ?? null, retainGraph ?? null);
  }
  retainGrad(): void {
    native.retainGrad(this.handle);
  }
  /** Same data, cut from the autograd graph. */
  detach(): Tensor { return wrap(native.detach(this.handle)); }
  /** Drops the accumulated gradient. */
  zeroGrad_(): void {
    native.zeroGrad(this.handle);
  }

  // ---- in-place updates outside autograd (initialisation, loading weights) ----
  copy_(source: Tensor): this { native.copy_(this.handle, source.handle); return this; }
  normal_(mean = 0, std = 1): this { native.normal_(this.handle, mean, std); return this; }
  uniform_(from = 0, to = 1): this { native.uniform_(this.handle, from, to); return this; }
  fill_(value: number): this { native.fill_(this.handle, value); return this; }
  // ---- in-place ops recorded by autograd (as PyTorch's relu_, add_, mul_) ----
  relu_(): this { native.relu_(this.handle); return this; }
  add_(other: Operand): this { native.add_(this.handle, ...operand(other)); return this; }
  mul_(other: Operand): this { native.mul_(this.handle, ...operand(other)); return this; }

  /** this += alpha * other, outside autograd. */
  addInPlace_(other: Tensor | number, alpha = 1): this {
    if (other instanceof Tensor) native.addInPlace_(this.handle, other.handle, alpha, false);
    else native.addInPlace_(this.handle, other, alpha, true);
    return this;
  }

  /** Frees the libtorch memory now. Further use throws; a second dispose() does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrack(this);
    native.dispose(this.handle);
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}

/** Wraps a handle returned by the addon (internal to src/torch). */
export function wrap(handle: Handle): Tensor {
  return new Tensor(handle);
}
