/** Functions over several tensors, grad mode, and the runtime's global settings. */
import { native } from './native.js';
import { Tensor, wrap, type Operand } from './tensor.js';

export function cat(tensors: Tensor[], dim = 0): Tensor {
  return wrap(native.cat(tensors.map((t) => t.handle), dim));
}

export function stack(tensors: Tensor[], dim = 0): Tensor {
  return wrap(native.stack(tensors.map((t) => t.handle), dim));
}

/** Element-wise cond ? a : b (a and b may be numbers). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const h = (x: Operand) => (x instanceof Tensor ? x.handle : x);
  return wrap(native.where(cond.handle, h(a), h(b), !(a instanceof Tensor), !(b instanceof Tensor)));
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.matmul(b);
}

/** Runs fn with gradient recording off (inference, evaluation); restores the previous mode. */
export function noGrad<T>(fn: () => T): T {
  const previous = native.setGradEnabled(false) as boolean;
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs fn with gradient recording on (inside a noGrad block). */
export function enableGrad<T>(fn: () => T): T {
  const previous = native.setGradEnabled(true) as boolean;
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled() as boolean;
}

/** Seeds libtorch's generators (randn, rand, dropout, randperm...). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** Intra-op threads libtorch uses (as torch.set_num_threads). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads() as number;
}

/** Runs fn on n intra-op threads, then restores the count it found. */
export function withNumThreads<T>(n: number, fn: () => T): T {
  const before = getNumThreads();
  setNumThreads(n);
  try {
    return fn();
  } finally {
    setNumThreads(before);
  }
}

export function setMkldnnEnabled(enabled: boolean): void {
  native.setMkldnnEnabled(enabled);
}

export interface RuntimeInfo {
  version: string;
  threads: number;
  /** ATen's vector kernels in use: 'default', 'avx2' or 'avx512'. */
  cpuCapability: string;
  /** Whether convolutions may use oneDNN (off in the reproducible compute mode). */
  mkldnnEnabled: boolean;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  mkldnn: boolean;
  parallelInfo: string;
  buildConfig: string;
}

/** libtorch's version, threads and devices (for `spinesurv engine info`). */
export function runtimeInfo(): RuntimeInfo {
  const info = native.runtimeInfo() as Omit<RuntimeInfo, 'cpuCapability'>;
  // libtorch 1.13 does not export get_cpu_capability(); its build summary names the level in use.
  const level = /CPU capability usage: ([\w ]+)/.exec(info.buildConfig)?.[1] ?? 'unknown';
  return { ...info, cpuCapability: level === 'NO AVX' ? 'default' : level.toLowerCase() };
}

/** The devices this build can use: 'cpu', and 'cuda:N' for each GPU of a CUDA libtorch. */
export function devices(): string[] {
  const info = runtimeInfo();
  return ['cpu', ...Array.from({ length: info.cudaDeviceCount }, (_, i) => `cuda:${i}`)];
}
