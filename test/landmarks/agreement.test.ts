// `landmarks agreement`: a hand-worked case (every number below worked out by hand in the comments),
// R (jsonlite reading the same two files) as the reference for Bland-Altman on a larger case, and the
// CLI's exit code and message on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readKeypoints } from '../../src/keypoints/index.js';
import { keypointAgreement } from '../../src/landmarks/agreement.js';
import { rscript } from '../survival/rscript.js';

const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
const SPINE = [100, 100, 100, 140, 100, 180, 100, 220, 100, 260];

/** A COCO keypoints file: images with pixel spacing [row 0.5 mm, column 0.25 mm]. */
function cocoFile(dir: string, images: { name: string; points: number[]; labelled?: boolean[] }[]): string {
  const doc = {
    images: images.map((im, i) => ({ id: i + 1, file_name: im.name, width: 400, height: 400, pixel_spacing: [0.5, 0.25] })),
    annotations: images.map((im, i) => ({
      id: i + 1, image_id: i + 1, category_id: 1, area: 10000,
      keypoints: [0, 1, 2, 3, 4].flatMap((k) => (im.labelled?.[k] === false ? [0, 0, 0] : [im.points[2 * k]!, im.points[2 * k + 1]!, 2])),
    })),
    categories: [{ id: 1, name: 'lumbar_spine', keypoints: ['L1', 'L2', 'L3', 'L4', 'L5'] }],
  };
  const path = join(dir, 'a.json');
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** A results list (as `landmarks predict` writes it): no pixel spacing, so A's is used. */
function resultsFile(dir: string, entries: { id: number; name: string; points: number[] }[]): string {
  const path = join(dir, 'b.json');
  writeFileSync(path, JSON.stringify(entries.map((e) => ({
    image_id: e.id, file_name: e.name, category_id: 1, score: 0.9, flags: [],
    keypoints: [0, 1, 2, 3, 4].flatMap((k) => [e.points[2 * k]!, e.points[2 * k + 1]!, 1]),
  }))));
  return path;
}

const moved = (offsets: [number, number][]): number[] => SPINE.map((v, i) => v + offsets[i >> 1]![i & 1]!);

test('hand-worked: MRE per vertebra, within 2 / 4 mm, Bland-Altman, images left out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann-agreement-'));
  const a = cocoFile(dir, [
    { name: 'images/1.dcm', points: SPINE },
    { name: 'images/2.dcm', points: SPINE },
    { name: 'images/3.dcm', points: SPINE, labelled: [true, true, true, true, false] },
    { name: 'images/4.dcm', points: SPINE },
  ]);
  // B - A in pixels; x pixels are 0.25 mm, y pixels 0.5 mm.
  // Image 1: L1 (12, 0) = 3 mm; L2 (0, 8) = 4 mm; L3 (12, 8) = (3, 4) mm = 5 mm; L4 0; L5 (4, 2) = (1, 1) mm = 1.4142 mm.
  // Image 2: L1 (-4, 0) = 1 mm; L2 (0, -4) = 2 mm; L3 0; L4 (8, 6) = (2, 3) mm = 3.6056 mm; L5 (0, 20) = 10 mm.
  const b = resultsFile(dir, [
    { id: 11, name: 'images/2.dcm', points: moved([[-4, 0], [0, -4], [0, 0], [8, 6], [0, 20]]) },
    { id: 10, name: 'images/1.dcm', points: moved([[12, 0], [0, 8], [12, 8], [0, 0], [4, 2]]) },
    { id: 12, name: 'images/3.dcm', points: SPINE },
  ]);
  const r = await keypointAgreement(readKeypoints(a), readKeypoints(b));
  assert.equal(r.n, 2);
  assert.deepEqual(r.left_out, { 'fewer than five points in A': 1, 'not in B': 1 });
  assert.deepEqual(r.spacing, { file: 2, image_header: 0 });
  const near = (x: number, y: number, what: string): void => assert.ok(Math.abs(x - y) < 1e-9, `${what}: ${x} vs ${y}`);
  near(r.mre_mm.L1!, 2, 'L1'); // (3 + 1) / 2
  near(r.mre_mm.L2!, 3, 'L2'); // (4 + 2) / 2
  near(r.mre_mm.L3!, 2.5, 'L3'); // (5 + 0) / 2
  near(r.mre_mm.L4!, Math.sqrt(13) / 2, 'L4'); // (0 + 3.6056) / 2
  near(r.mre_mm.L5!, (Math.SQRT2 + 10) / 2, 'L5');
  near(r.mre_mm.all!, (3 + 4 + 5 + 0 + Math.SQRT2 + 1 + 2 + 0 + Math.sqrt(13) + 10) / 10, 'all');
  near(r.within_2mm, 0.5, 'within 2 mm'); // 0, 1.41, 1, 2, 0 of ten
  near(r.within_4mm, 0.8, 'within 4 mm'); // and 3, 4, 3.61
  near(r.per_vertebra.L5!.max_mm, 10, 'L5 max');
  // L1 x, A - B: -3 and +1 mm. Bias -1, SD sqrt(((-2)^2 + 2^2) / 1) = sqrt(8), limits -1 -+ 1.96 sqrt(8).
  const l1x = r.bland_altman.L1!.x;
  near(l1x.bias_mm, -1, 'L1 x bias');
  near(l1x.sd_mm, Math.sqrt(8), 'L1 x SD');
  near(l1x.lower_mm, -1 - 1.96 * Math.sqrt(8), 'L1 x lower');
  near(l1x.upper_mm, -1 + 1.96 * Math.sqrt(8), 'L1 x upper');
  // L5 y, A - B: -1 and -10 mm. Bias -5.5, SD sqrt((4.5^2 + 4.5^2) / 1) = 4.5 sqrt(2).
  near(r.bland_altman.L5!.y.bias_mm, -5.5, 'L5 y bias');
  near(r.bland_altman.L5!.y.sd_mm, 4.5 * Math.SQRT2, 'L5 y SD');
});

test('Bland-Altman limits and MRE agree with R reading the same files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann-agreement-r-'));
  // 25 images; B = A plus deterministic, uneven offsets (a small LCG, so nothing here is computed by the code under test).
  let s = 12345;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 20 - 8;
  const images = Array.from({ length: 25 }, (_, i) => ({ name: `im${i}.dcm`, points: SPINE.map((v) => v + i) }));
  const a = cocoFile(dir, images);
  const b = resultsFile(dir, images.map((im, i) => ({ id: i + 1, name: im.name, points: im.points.map((v) => v + next()) })));
  const r = await keypointAgreement(readKeypoints(a), readKeypoints(b));
  const ref = rscript(`
    A <- fromJSON(args[1], simplifyVector = FALSE); B <- fromJSON(args[2], simplifyVector = FALSE)
    out <- list()
    for (k in 1:5) {
      dx <- c(); dy <- c()
      for (im in A$images) {
        a <- unlist(A$annotations[[which(sapply(A$annotations, function(x) x$image_id) == im$id)]]$keypoints)
        b <- unlist(B[[which(sapply(B, function(x) x$file_name) == im$file_name)]]$keypoints)
        dx <- c(dx, (a[3 * k - 2] - b[3 * k - 2]) * im$pixel_spacing[[2]])
        dy <- c(dy, (a[3 * k - 1] - b[3 * k - 1]) * im$pixel_spacing[[1]])
      }
      out[[paste0("L", k)]] <- list(mre = mean(sqrt(dx^2 + dy^2)),
        x = c(mean(dx), sd(dx), mean(dx) - 1.96 * sd(dx), mean(dx) + 1.96 * sd(dx)),
        y = c(mean(dy), sd(dy), mean(dy) - 1.96 * sd(dy), mean(dy) + 1.96 * sd(dy)))
    }
    emit(out)`, [a, b]) as Record<string, { mre: number; x: number[]; y: number[] }>;
  for (const name of ['L1', 'L2', 'L3', 'L4', 'L5']) {
    const mine = r.bland_altman[name]!;
    const theirs = ref[name]!;
    assert.ok(Math.abs(r.mre_mm[name]! - theirs.mre) < 1e-9, `${name} MRE ${r.mre_mm[name]} vs R ${theirs.mre}`);
    for (const axis of ['x', 'y'] as const) {
      const got = [mine[axis].bias_mm, mine[axis].sd_mm, mine[axis].lower_mm, mine[axis].upper_mm];
      got.forEach((v, i) => assert.ok(Math.abs(v - theirs[axis][i]!) < 1e-9, `${name} ${axis}[${i}] ${v} vs R ${theirs[axis][i]}`));
    }
  }
});

test('CLI: bad input exits 2 naming the file; --json prints the CLI.md keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann-agreement-cli-'));
  const a = cocoFile(dir, [{ name: 'x.dcm', points: SPINE }]);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"images": [');
  const r1 = spawnSync(process.execPath, [bin, 'landmarks', 'agreement', '--a', a, '--b', bad], { encoding: 'utf8' });
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /bad\.json: not valid JSON/);
  const b = resultsFile(dir, [{ id: 1, name: 'x.dcm', points: moved([[4, 0], [0, 0], [0, 0], [0, 0], [0, 0]]) }]);
  const r2 = spawnSync(process.execPath, [bin, 'landmarks', 'agreement', '--a', a, '--b', b, '--json'], { encoding: 'utf8' });
  assert.equal(r2.status, 0, r2.stderr);
  const j = JSON.parse(r2.stdout) as Record<string, unknown>;
  for (const key of ['n', 'mre_mm', 'within_2mm', 'within_4mm']) assert.ok(key in j, key);
  assert.equal((j.mre_mm as Record<string, number>).L1, 1); // 4 px x 0.25 mm
  const none = join(dir, 'none.json');
  writeFileSync(none, '[]');
  const r3 = spawnSync(process.execPath, [bin, 'landmarks', 'agreement', '--a', a, '--b', none], { encoding: 'utf8' });
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /no radiograph has all five points \(L1-L5\) in both \(1 not in B\)/);
});
