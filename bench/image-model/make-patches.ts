/**
 * Cuts the interim patch variant for a cohort (until `spinesurv preprocess` is on main):
 *   node dist/bench/image-model/make-patches.js COHORT_DIR KEYPOINTS.json OUT_DIR [SIZE] [SIDE_FACTOR]
 */
import { makeInterimPatchVariant } from '../../src/models/image/interim-variant.js';
import { DEFAULT_PATCH_PARAMETERS } from '../../src/models/image/interim-patches.js';

const [cohortDir, keypoints, out, size, side] = process.argv.slice(2);
if (!cohortDir || !keypoints || !out) {
  process.stderr.write('usage: make-patches.js COHORT_DIR KEYPOINTS.json OUT_DIR [SIZE] [SIDE_FACTOR]\n');
  process.exit(2);
}
const params = { ...DEFAULT_PATCH_PARAMETERS, size: Number(size ?? DEFAULT_PATCH_PARAMETERS.size), sideFactor: Number(side ?? DEFAULT_PATCH_PARAMETERS.sideFactor) };
const started = performance.now();
const r = await makeInterimPatchVariant({ cohortDir, keypoints, out, params });
process.stderr.write(`${r.rows} rows, ${r.leftOut} left out, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
