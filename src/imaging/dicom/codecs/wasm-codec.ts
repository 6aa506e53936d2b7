/**
 * Runs an Emscripten-built codec (the @cornerstonejs/codec-* packages) so that one bad input cannot
 * spoil the next. Those builds have no C++ exception support: a decoder error unwinds out of WASM
 * without restoring the module's stack and heap, and later calls fail with "memory access out of
 * bounds". So the compiled module is kept, and after any failure the next call gets a fresh instance
 * of it (a few milliseconds, against ~100 ms to compile again).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

type EmscriptenFactory<M> = (moduleArg: Record<string, unknown>) => Promise<M>;

// The lib settings (ES2023, no DOM) carry no WebAssembly types; these are the few calls made here.
type CompiledModule = object;
interface WasmInstance {
  exports: unknown;
}
const Wasm = (globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => CompiledModule; Instance: new (module: CompiledModule, imports: unknown) => WasmInstance };
}).WebAssembly;

export class WasmCodec<M> {
  private compiled: CompiledModule | undefined;
  private instance: Promise<M> | undefined;

  /** `jsPath` and `wasmPath` are package subpaths, e.g. '@cornerstonejs/codec-charls/decodewasmjs'. */
  constructor(private readonly jsPath: string, private readonly wasmPath: string) {}

  private load(): Promise<M> {
    const factory = require(this.jsPath) as EmscriptenFactory<M>;
    this.compiled ??= new Wasm.Module(readFileSync(require.resolve(this.wasmPath)));
    const compiled = this.compiled;
    return factory({
      instantiateWasm(imports: unknown, done: (instance: WasmInstance, module: CompiledModule) => void) {
        const instance = new Wasm.Instance(compiled, imports);
        done(instance, compiled);
        return instance.exports;
      },
      // Emscripten prints aborts itself; the error reaches the caller as a thrown value anyway.
      print: () => {},
      printErr: () => {},
    });
  }

  /** Runs `work` on a healthy instance; any failure retires that instance. */
  async run<T>(work: (module: M) => T): Promise<T> {
    this.instance ??= this.load();
    const module = await this.instance;
    try {
      return work(module);
    } catch (error) {
      this.instance = undefined;
      throw error;
    }
  }
}
