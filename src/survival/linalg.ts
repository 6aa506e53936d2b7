/**
 * Small dense symmetric solvers for the Cox information matrix (p x p, p small). The matrix is a
 * row-major Float64Array. The Cholesky is the LDL' form with a relative pivot tolerance, so that a
 * column that is (numerically) a linear combination of earlier ones gets a zero pivot instead of
 * blowing up: that is how collinear covariates are detected, and solves treat such directions as 0,
 * the way survival::coxph does.
 */

export interface LdlFactor {
  /** Row-major p x p: unit lower triangle holds L, the diagonal holds D (0 for singular pivots). */
  factor: Float64Array;
  p: number;
  /** Number of non-singular pivots. */
  rank: number;
  /** Indices of the columns whose pivot was judged singular. */
  singular: number[];
}

/** LDL' decomposition of a symmetric matrix (only the lower triangle is read). */
export function ldlDecompose(matrix: Float64Array, p: number, tolerance: number): LdlFactor {
  const a = Float64Array.from(matrix);
  let largest = 0;
  for (let i = 0; i < p; i++) if (a[i * p + i] > largest) largest = a[i * p + i];
  const eps = largest * tolerance;
  const singular: number[] = [];
  let rank = 0;
  for (let i = 0; i < p; i++) {
    const pivot = a[i * p + i];
    if (!Number.isFinite(pivot) || pivot < eps) {
      a[i * p + i] = 0;
      for (let j = i + 1; j < p; j++) a[j * p + i] = 0;
      singular.push(i);
      continue;
    }
    rank++;
    for (let j = i + 1; j < p; j++) {
      const l = a[j * p + i] / pivot;
      a[j * p + i] = l;
      a[j * p + j] -= l * l * pivot;
      for (let k = j + 1; k < p; k++) a[k * p + j] -= l * a[k * p + i];
    }
  }
  return { factor: a, p, rank, singular };
}

/** Solves A x = b in place with the LDL' factor; singular directions get 0. */
export function ldlSolve(f: LdlFactor, b: Float64Array): Float64Array {
  const { factor: a, p } = f;
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let j = 0; j < i; j++) s -= a[i * p + j] * b[j];
    b[i] = s;
  }
  for (let i = p - 1; i >= 0; i--) {
    const d = a[i * p + i];
    let s = d === 0 ? 0 : b[i] / d;
    for (let j = i + 1; j < p; j++) s -= a[j * p + i] * b[j];
    b[i] = s;
  }
  return b;
}

/** The (generalised) inverse from the LDL' factor: rows and columns of singular pivots are 0. */
export function ldlInverse(f: LdlFactor): Float64Array {
  const p = f.p;
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    e.fill(0);
    e[c] = 1;
    ldlSolve(f, e);
    for (let r = 0; r < p; r++) inv[r * p + c] = e[r];
  }
  for (const s of f.singular) {
    for (let k = 0; k < p; k++) {
      inv[s * p + k] = 0;
      inv[k * p + s] = 0;
    }
  }
  return inv;
}
