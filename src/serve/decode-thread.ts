/**
 * The decode thread of `spinesurv serve`: reads stored or received radiographs (parse, inflate,
 * decompress, rescale) and renders the viewer's PNG, so that a large or deflated image never holds up
 * the DICOM and HTTP side on the main thread. One request at a time, in arrival order; the pixels and
 * PNG bytes go back by transfer, not by copy.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { readRadiographBytes } from '../imaging/index.js';
import { InputError } from '../util/errors.js';
import { pixelBuffer, radiographPng } from './viewer/pixels.js';
import type { DecodeReply, DecodeRequest } from './decode-client.js';

const port = parentPort!;

async function answer(request: DecodeRequest): Promise<void> {
  try {
    if (request.op === 'phi') {
      const image = await readRadiographBytes(request.name, request.bytes, { phi: true });
      port.postMessage({ id: request.id, phi: image.phi ?? {} } satisfies DecodeReply);
      return;
    }
    const image = await readRadiographBytes(request.name, await readFile(request.file));
    if (request.op === 'radiograph') {
      port.postMessage({ id: request.id, radiograph: image } satisfies DecodeReply, [image.pixels.buffer as ArrayBuffer]);
    } else if (request.op === 'pixels') {
      const p = pixelBuffer(image);
      const pixels = { ...p, window: { center: image.window.center, width: image.window.width } };
      port.postMessage({ id: request.id, pixels } satisfies DecodeReply, [p.bytes.buffer as ArrayBuffer]);
    } else {
      const png = radiographPng(image, request.window);
      port.postMessage({ id: request.id, png }, [png.buffer as ArrayBuffer]);
    }
  } catch (error) {
    const e = error as Error;
    port.postMessage({ id: request.id, error: { message: e.message ?? String(error), input: error instanceof InputError } } satisfies DecodeReply);
  }
}

// Sequential: each request waits for the one before, so memory holds one image at a time.
let chain: Promise<void> = Promise.resolve();
port.on('message', (request: DecodeRequest) => {
  chain = chain.then(() => answer(request));
});
