/**
 * A copy of a network's state (parameters and buffers) held in plain typed arrays, so that early
 * stopping can keep the best epoch's weights without keeping engine tensors alive across epochs.
 */
import { tensor, type Module, type Tensor, type DType } from '../torch/index.js';

interface SavedTensor {
  shape: number[];
  dtype: DType;
  data: Float32Array | Float64Array | BigInt64Array | Uint8Array;
}

export type StateSnapshot = Map<string, SavedTensor>;

function copyOut(t: Tensor): SavedTensor {
  const shape = t.shape; // the getter returns a copy
  switch (t.dtype) {
    case 'float32':
      return { shape, dtype: t.dtype, data: t.toFloat32Array() };
    case 'float64':
      return { shape, dtype: t.dtype, data: t.toFloat64Array() };
    case 'int64':
      return { shape, dtype: t.dtype, data: t.toInt64Array() };
    default:
      return { shape, dtype: 'float32', data: t.toFloat32Array() };
  }
}

export function snapshotState(module: Module): StateSnapshot {
  const out: StateSnapshot = new Map();
  for (const [name, t] of module.stateDict()) out.set(name, copyOut(t));
  return out;
}

/** Loads a snapshot; `strict` false leaves the module's tensors that the snapshot lacks as they are. */
export function restoreState(module: Module, snapshot: StateSnapshot, strict = true): void {
  const tensors = new Map<string, Tensor>();
  try {
    for (const [name, s] of snapshot) tensors.set(name, tensor(s.data, s.shape, { dtype: s.dtype }));
    module.loadStateDict(tensors, strict);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
