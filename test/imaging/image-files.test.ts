import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readRadiograph, writePng16, writePng8, RadiographReadError } from '../../src/imaging/index.js';
import { scratchDir } from './dcmtk.js';

const W = 37;
const H = 23;

function ramp16(): Uint16Array {
  return Uint16Array.from({ length: W * H }, (_, i) => (i * 977) % 65536);
}

test('PNG (8- and 16-bit), 16-bit TIFF and JPEG come back as grey values with no spacing', async () => {
  const dir = scratchDir('image-files-');
  try {
    const v16 = ramp16();
    const v8 = Uint8Array.from(v16, (v) => v >> 8);
    writePng16(join(dir, 'a16.png'), v16, W, H);
    writePng8(join(dir, 'a8.png'), v8, W, H);
    // libpng (inside sharp) decodes our PNGs to the same values: an independent check of the writer.
    const check = await sharp(join(dir, 'a16.png')).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
    assert.deepEqual(new Uint16Array(check.buffer, check.byteOffset, W * H), v16);

    const r16 = await readRadiograph(join(dir, 'a16.png'));
    assert.deepEqual(Array.from(r16.pixels), Array.from(v16));
    assert.equal(r16.bitsStored, 16);
    assert.equal(r16.transferSyntax, 'png');
    assert.equal(r16.pixelSpacing, null);
    assert.equal(r16.spacingSource, null);
    assert.equal(r16.rows, H);
    assert.equal(r16.columns, W);

    const r8 = await readRadiograph(join(dir, 'a8.png'));
    assert.deepEqual(Array.from(r8.pixels), Array.from(v8));
    assert.equal(r8.bitsStored, 8);

    const tif = join(dir, 'a16.tif');
    await sharp(join(dir, 'a16.png')).toColourspace('grey16').tiff({ compression: 'lzw' }).toFile(tif);
    const rt = await readRadiograph(tif);
    assert.equal(rt.transferSyntax, 'tiff');
    assert.equal(rt.bitsStored, 16);
    assert.deepEqual(Array.from(rt.pixels), Array.from(v16));

    const smooth = Uint8Array.from({ length: W * H }, (_, i) => 60 + Math.round(80 * Math.sin((i % W) / 9) ** 2));
    const jpg = join(dir, 'a.jpg');
    await sharp(Buffer.from(smooth), { raw: { width: W, height: H, channels: 1 } }).jpeg({ quality: 95 }).toFile(jpg);
    const rj = await readRadiograph(jpg);
    assert.equal(rj.transferSyntax, 'jpeg');
    let worst = 0;
    rj.pixels.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - smooth[i]))));
    assert.ok(worst <= 4, `JPEG q95 differs by ${worst}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an RGB file with equal channels reads as grey; a colour one is refused', async () => {
  const dir = scratchDir('image-colour-');
  try {
    const grey = Uint8Array.from({ length: W * H }, (_, i) => i % 251);
    const rgb = new Uint8Array(3 * W * H);
    grey.forEach((v, i) => rgb.set([v, v, v], 3 * i));
    await sharp(Buffer.from(rgb), { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'grey-as-rgb.png'));
    const r = await readRadiograph(join(dir, 'grey-as-rgb.png'));
    assert.deepEqual(Array.from(r.pixels), Array.from(grey));

    rgb[30] = 255; // pixel 10 turns red
    rgb[31] = 0;
    await sharp(Buffer.from(rgb), { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'colour.png'));
    await assert.rejects(readRadiograph(join(dir, 'colour.png')), (e: unknown) => e instanceof RadiographReadError && e.kind === 'colour' && /colour\.png: colour image/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
