/**
 * worker_threads body for the thread tests: makes and frees tensors with this thread's own handle
 * table, checks every result against arithmetic done in JavaScript, and answers messages:
 *   { op: 'work', rounds, seed }   -> { ok, mismatches, liveAtStart, liveHeld, liveAtEnd, rounds }
 *   { op: 'handle' }               -> { handle } of a tensor this thread keeps alive
 *   { op: 'use', handle }          -> { error } from using another thread's handle (or null)
 *   { op: 'exit' }                 -> the thread ends
 */
import { parentPort } from 'node:worker_threads';
import { native } from '../../src/torch/native.js';
import { tensor, liveTensorCount, scope, type Tensor } from '../../src/torch/index.js';

/** Deterministic values for round r (no shared random generator: libtorch's is process-wide). */
export function values(seed: number, round: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((seed * 7919 + round * 104729 + i * 31) % 1000) / 100 - 5;
  return out;
}

/**
 * `rounds` rounds of: two vectors, their sum, product and dot product, compared with JavaScript's
 * arithmetic in float64. While it runs, `held` tensors stay alive so the live count can be checked.
 */
export function work(seed: number, rounds: number, held = 3): { mismatches: number; liveAtStart: number; liveHeld: number; liveAtEnd: number } {
  const liveAtStart = liveTensorCount();
  const keep: Tensor[] = [];
  for (let i = 0; i < held; i++) keep.push(tensor(values(seed, -1 - i, 4), [4]));
  const liveHeld = liveTensorCount();
  let mismatches = 0;
  for (let r = 0; r < rounds; r++) {
    const a = values(seed, r, 8);
    const b = values(seed + 1, r, 8);
    let dot = 0;
    for (let i = 0; i < 8; i++) dot += a[i]! * b[i]!;
    const [sum, dotT] = scope(() => {
      const ta = tensor(a, [8]);
      const tb = tensor(b, [8]);
      return [ta.add(tb).toFloat64Array(), ta.mul(tb).sum().item()];
    });
    for (let i = 0; i < 8; i++) if (sum[i] !== a[i]! + b[i]!) mismatches++;
    if (Math.abs(dotT - dot) > 1e-9 * Math.max(1, Math.abs(dot))) mismatches++;
  }
  for (const t of keep) t.dispose();
  return { mismatches, liveAtStart, liveHeld, liveAtEnd: liveTensorCount() };
}

if (parentPort !== null) {
  const port = parentPort;
  let kept: Tensor | undefined;
  port.on('message', (message: { op: string; rounds?: number; seed?: number; handle?: number }) => {
    if (message.op === 'work') {
      port.postMessage({ ok: true, rounds: message.rounds, ...work(message.seed!, message.rounds!) });
    } else if (message.op === 'handle') {
      kept ??= tensor([1, 2, 3]);
      port.postMessage({ handle: kept.handle });
    } else if (message.op === 'use') {
      try {
        native.sum(message.handle);
        port.postMessage({ error: null });
      } catch (error) {
        port.postMessage({ error: (error as Error).message });
      }
    } else if (message.op === 'exit') {
      kept?.dispose();
      port.close();
    }
  });
}
