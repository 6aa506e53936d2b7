/**
 * Memory management for tensors: libtorch memory is not seen by V8's garbage collector, so tensors are
 * freed explicitly. scope(fn) frees every tensor created while fn runs except those reachable from
 * its return value (which move to the enclosing scope), also when fn throws. keep(t) lets a tensor
 * escape all scopes (parameters, long-lived state). A FinalizationRegistry frees tensors that were
 * never disposed once they are garbage (a safety net, not the main mechanism). Registering costs
 * several microseconds (more than a small op), so only tensors that can outlive every scope are
 * registered: those made outside any scope, kept, or returned from the outermost scope.
 */
import { native, type Handle } from './native.js';

/** What scope tracking needs from a tensor (the Tensor class implements it). */
export interface Tracked {
  readonly handle: Handle;
  kept: boolean;
  disposed: boolean;
  /** Registered with the FinalizationRegistry. */
  registered: boolean;
  dispose(): void;
}

const frames: Tracked[][] = [];
let reclaimedByGc = 0;

const registry = new FinalizationRegistry<Handle>((handle) => {
  if (!native.isDisposed(handle)) {
    reclaimedByGc += 1;
    native.dispose(handle);
  }
});

function register(tensor: Tracked): void {
  if (tensor.registered) return;
  tensor.registered = true;
  registry.register(tensor, tensor.handle, tensor);
}

/** Called by the Tensor constructor. */
export function track(tensor: Tracked): void {
  const frame = frames[frames.length - 1];
  if (frame !== undefined) frame.push(tensor);
  else register(tensor);
}

/** Called by Tensor.dispose(). */
export function untrack(tensor: Tracked): void {
  if (tensor.registered) registry.unregister(tensor);
}

/** Lets a tensor outlive every enclosing scope (it must then be disposed explicitly). */
export function keep<T extends Tracked>(tensor: T): T {
  tensor.kept = true;
  register(tensor);
  return tensor;
}

function isTracked(value: unknown): value is Tracked {
  return typeof value === 'object' && value !== null && 'handle' in value && 'kept' in value && 'registered' in value;
}

// Tensors reachable from a scope's result: through arrays, plain objects, Maps and Sets.
function collect(value: unknown, found: Set<Tracked>, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (isTracked(value)) {
    found.add(value);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) collect(item, found, seen);
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      collect(k, found, seen);
      collect(v, found, seen);
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      for (const v of Object.values(value)) collect(v, found, seen);
    }
  }
}

function release(frame: Tracked[], survivors: Set<Tracked>): void {
  const parent = frames[frames.length - 1];
  for (const tensor of frame) {
    if (tensor.disposed || tensor.kept) continue;
    if (survivors.has(tensor)) {
      if (parent !== undefined) parent.push(tensor);
      else register(tensor);
    } else {
      tensor.dispose();
    }
  }
}

/**
 * Runs fn and frees every tensor created inside except those in its return value (a Tensor, or
 * arrays/objects/Maps holding tensors). Scopes nest. fn must be synchronous.
 */
export function scope<T>(fn: () => T): T {
  const frame: Tracked[] = [];
  frames.push(frame);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    frames.pop();
    release(frame, new Set());
    throw error;
  }
  frames.pop();
  if (result instanceof Promise) {
    release(frame, new Set());
    throw new Error('scope(): fn must be synchronous (it returned a Promise); tensors made inside were freed');
  }
  const survivors = new Set<Tracked>();
  collect(result, survivors, new Set());
  release(frame, survivors);
  return result;
}

/** Tensors holding libtorch memory right now in this thread (counted in the addon; each worker_thread has its own). */
export function liveTensorCount(): number {
  return native.liveTensorCount() as number;
}

/** Tensors that were never disposed and were freed by the garbage collector instead. */
export function gcReclaimedCount(): number {
  return reclaimedByGc;
}
