import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateCohort } from '../../src/synth/cohort.js';
import { readRadiograph } from '../../src/imaging/index.js';
import { parseCsv } from '../../src/util/csv.js';
import type { CocoKeypoints } from '../../src/synth/keypoints.js';

const SIZE = 192;

function dcmtk(name: string, args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(name, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${name} could not run (${r.error.message}); install dcmtk (scripts/setup.sh)`);
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('the written DICOM files and masks read back: dcmtk without warnings, spinesurv reader with the right spacing, keypoints on their masks', async () => {
  const root = mkdtempSync(join(tmpdir(), 'synth-files-'));
  try {
    const dir = join(root, 'cohort');
    await generateCohort({ out: dir, patients: 3, size: SIZE, seed: 4, workers: 0 });
    const csv = parseCsv(readFileSync(join(dir, 'cohort.csv'), 'utf8'), 'cohort.csv');
    const coco = JSON.parse(readFileSync(join(dir, 'keypoints.json'), 'utf8')) as CocoKeypoints;
    const images = csv.strings('image');
    const masks = csv.strings('mask');
    for (let i = 0; i < images.length; i++) {
      const path = join(dir, images[i]);
      const dump = dcmtk('dcmdump', ['-dc', path]);
      assert.equal(dump.status, 0);
      assert.equal(dump.stderr, '', `dcmdump warned: ${dump.stderr}`);
      const png = dcmtk('dcmj2pnm', ['+on', path, join(root, `check${i}.png`)]);
      assert.equal(png.status, 0);
      assert.equal(png.stderr, '', `dcmj2pnm warned: ${png.stderr}`);

      const image = await readRadiograph(path);
      assert.equal(image.rows, SIZE);
      assert.equal(image.columns, Math.round(SIZE * 0.8));
      assert.equal(image.bitsStored, 12);
      assert.equal(image.photometric, 'MONOCHROME2');
      assert.deepEqual(image.warnings, []);
      assert.ok(image.pixelSpacing !== null);
      for (const s of image.pixelSpacing) assert.ok(Math.abs(s - 350 / SIZE) < 1e-6, `spacing ${s}`);
      assert.equal(image.viewPosition, 'LL');
      assert.deepEqual(coco.images[i].pixel_spacing.map((s) => Math.round(s * 1e6)), image.pixelSpacing.map((s) => Math.round(s * 1e6)));

      const mask = await readRadiograph(join(dir, masks[i]));
      assert.deepEqual([mask.rows, mask.columns], [image.rows, image.columns]);
      const kp = coco.annotations[i].keypoints;
      for (let k = 0; k < 5; k++) {
        const x = Math.round(kp[3 * k]);
        const y = Math.round(kp[3 * k + 1]);
        assert.equal(mask.pixels[y * mask.columns + x], k + 1, `image ${i}: L${k + 1} keypoint not on its mask`);
      }
      let insideN = 0;
      for (let p = 0; p < mask.pixels.length; p++) {
        assert.ok(mask.pixels[p] >= 0 && mask.pixels[p] <= 5);
        if (mask.pixels[p] > 0) insideN++;
      }
      assert.equal(insideN, coco.annotations[i].area);
      assert.ok(insideN > 0);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
