import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResampledConcordance } from '../../src/study/resampled-concordance.js';
import { harrellC, unoC } from '../../src/survival/index.js';
import { take } from '../../src/survival/bootstrap.js';
import { Random } from '../../src/util/random.js';

/** Data with many tied times (rounded), tied scores, and censorings at event times. */
function tiedData(n: number, rng: Random) {
  const time = Float64Array.from({ length: n }, () => Math.round(rng.exponential(0.4) * 4) / 4 + 0.25);
  const event = Uint8Array.from({ length: n }, () => (rng.bernoulli(0.35) ? 1 : 0));
  const score = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 3) / 3);
  return { time, event, score };
}

test("resampled Harrell's and Uno's C equal the statistics module's on the same resampled rows", () => {
  const rng = new Random(8);
  for (let trial = 0; trial < 40; trial++) {
    const d = tiedData(30 + trial * 3, rng);
    const rc = new ResampledConcordance(d);
    const sorted = rc.sortedScore(d.score);
    for (let b = 0; b < 5; b++) {
      const rows = b === 0 ? Int32Array.from({ length: d.time.length }, (_, i) => i) : rng.resample(d.time.length);
      const t = take(d.time, rows);
      const e = take(d.event, rows);
      const s = take(d.score, rows);
      const w = rc.sortedWeights(rc.weightsOf(rows));
      for (const tau of [undefined, 2]) {
        const uno = rc.pairWeights(w, 'uno', tau);
        const harrell = rc.pairWeights(w, 'harrell');
        if (uno === null || harrell === null) {
          assert.ok(e.every((v) => v === 0));
          continue;
        }
        const refH = harrellC(t, e, s).c;
        const refU = unoC(t, e, s, { tau }).c;
        const h = rc.concordance(sorted, w, harrell);
        const u = rc.concordance(sorted, w, uno);
        assert.ok(Number.isNaN(refH) ? Number.isNaN(h) : Math.abs(h - refH) < 1e-12, `Harrell trial ${trial}: ${h} vs ${refH}`);
        assert.ok(Number.isNaN(refU) ? Number.isNaN(u) : Math.abs(u - refU) < 1e-12, `Uno trial ${trial} tau ${tau}: ${u} vs ${refU}`);
      }
    }
  }
});
