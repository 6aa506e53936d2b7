/**
 * Retries with exponential backoff for the in-process pool, with the same rule as the queue's jobs
 * (BullMQ's exponential backoff: delay * 2^(attempt - 1)), so both modes treat a failing image alike.
 */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; doubled before each later one. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1000 };

export function backoffDelay(policy: RetryPolicy, failedAttempt: number): number {
  return policy.backoffMs * 2 ** (failedAttempt - 1);
}

export type RetryOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: Error; attempts: number };

export async function withRetries<T>(policy: RetryPolicy, run: (attempt: number) => Promise<T>): Promise<RetryOutcome<T>> {
  let last: Error = new Error('never tried');
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return { ok: true, value: await run(attempt), attempts: attempt };
    } catch (error) {
      last = error instanceof Error ? error : new Error(String(error));
      if (attempt < policy.attempts) await new Promise((r) => setTimeout(r, backoffDelay(policy, attempt)));
    }
  }
  return { ok: false, error: last, attempts: policy.attempts };
}
