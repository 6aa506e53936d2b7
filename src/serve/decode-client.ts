/**
 * The main thread's side of the decode thread (decode-thread.ts): reading a radiograph's header values,
 * its pixels, or the viewer's PNG, off the main thread. A request that fails for the image's sake
 * rejects with an InputError carrying the reader's message (answered 400 / refused, as before); if the
 * thread dies, what it held fails and a new thread takes the next request.
 */
import { Worker } from 'node:worker_threads';
import type { Radiograph } from '../imaging/index.js';
import { InputError } from '../util/errors.js';
import type { PixelBuffer } from './viewer/pixels.js';

/** A radiograph's values as the viewer's /pixels route sends them, and its display window. */
export type ViewerPixels = PixelBuffer & { window: { center: number; width: number } };

export type DecodeRequest =
  | { id: number; op: 'phi'; name: string; bytes: Uint8Array }
  | { id: number; op: 'radiograph'; name: string; file: string }
  | { id: number; op: 'png'; name: string; file: string; window: { center: number; width: number } | null }
  | { id: number; op: 'pixels'; name: string; file: string };

export type DecodeReply =
  | { id: number; phi: Record<string, string> }
  | { id: number; radiograph: Radiograph }
  | { id: number; png: Buffer }
  | { id: number; pixels: ViewerPixels }
  | { id: number; error: { message: string; input: boolean } };

/** What the receive path and the backend need from it (a test may give its own). */
export interface RadiographDecoder {
  /** The identifying header values of Part 10 bytes (the reader's `phi`), after a full read that checks the image. */
  phi(name: string, bytes: Uint8Array): Promise<Record<string, string>>;
  radiograph(name: string, file: string): Promise<Radiograph>;
  /** The 8-bit PNG through a window (the file's when null). */
  png(name: string, file: string, window: { center: number; width: number } | null): Promise<Buffer>;
  /** The modality values in the viewer's transport form (pixels.ts), with the file's window. */
  pixels(name: string, file: string): Promise<ViewerPixels>;
}

type Pending = { resolve: (reply: DecodeReply) => void; reject: (error: Error) => void };

export class DecodeClient implements RadiographDecoder {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(new URL('./decode-thread.js', import.meta.url));
    worker.on('message', (reply: DecodeReply) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      p.resolve(reply);
    });
    const fail = (why: string): void => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(new Error(`the decode thread ${why}`));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(`failed: ${error.message}`));
    worker.on('exit', () => fail('exited'));
    // Idle, it must not keep the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private async ask(request: DecodeRequest, transfer: ArrayBuffer[] = []): Promise<DecodeReply> {
    if (this.closed) throw new Error('the decode thread is closed');
    const reply = await new Promise<DecodeReply>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.thread().postMessage(request, transfer);
    });
    if ('error' in reply) throw reply.error.input ? new InputError(reply.error.message) : new Error(reply.error.message);
    return reply;
  }

  async phi(name: string, bytes: Uint8Array): Promise<Record<string, string>> {
    const reply = await this.ask({ id: this.nextId++, op: 'phi', name, bytes });
    return (reply as { phi: Record<string, string> }).phi;
  }

  async radiograph(name: string, file: string): Promise<Radiograph> {
    const reply = await this.ask({ id: this.nextId++, op: 'radiograph', name, file });
    return (reply as { radiograph: Radiograph }).radiograph;
  }

  async png(name: string, file: string, window: { center: number; width: number } | null): Promise<Buffer> {
    const reply = await this.ask({ id: this.nextId++, op: 'png', name, file, window });
    const png = (reply as { png: Uint8Array }).png;
    return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  }

  async pixels(name: string, file: string): Promise<ViewerPixels> {
    const reply = await this.ask({ id: this.nextId++, op: 'pixels', name, file });
    const p = (reply as { pixels: ViewerPixels }).pixels;
    return { ...p, bytes: Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength) };
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }
}
