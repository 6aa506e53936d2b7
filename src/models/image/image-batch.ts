/**
 * The variant's uint8 images at the model's input size, and float batches cut from them. Resizing
 * happens once (area average when shrinking by 2 or more, so fine texture does not alias, then
 * bilinear), in chunks so that a large variant never needs a float copy of itself.
 */
import { F, noGrad, scope, tensor, type Tensor } from '../../torch/index.js';

const CHUNK = 256;

/** uint8 (N, C, S, S) -> uint8 (N, C, size, size); returns the input itself when S = size. */
export function imagesAtSize(images: Tensor, size: number): Tensor {
  const [n, c, s] = images.shape;
  if (s === size) return images;
  const out = new Uint8Array(n * c * size * size);
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const bytes = noGrad(() =>
      scope(() => {
        let x = images.narrow(0, start, m).to('float32').reshape([m * c, 1, s, s]);
        const factor = Math.floor(s / size);
        if (factor >= 2) x = F.avgPool2d(x, factor);
        if (x.shape[2] !== size) x = F.interpolate(x, { size, mode: 'bilinear', alignCorners: false });
        return x.round().clamp(0, 255).to('uint8').toBytes();
      }),
    );
    out.set(bytes, start * c * size * size);
  }
  return tensor(out, [n, c, size, size], { dtype: 'uint8' });
}

/** Float images in [0, 1] for the given rows of a uint8 (N, C, S, S) tensor. */
export function floatBatch(images: Tensor, rows: Int32Array): Tensor {
  return images.indexSelect(0, tensor(rows, [rows.length], { dtype: 'int64' })).to('float32').div(255);
}
