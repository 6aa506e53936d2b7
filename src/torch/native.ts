/**
 * Loads the libtorch addon built by native/build.sh. Everything else in src/torch goes through the
 * `native` object; a tensor handle is an opaque value owned by the addon.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { engineDidLoad, engineWillLoad } from './compute-mode.js';

/**
 * Reference to one libtorch tensor inside the addon: a number naming a slot (with a generation) of
 * this thread's table. Each worker_thread has its own tensors; a handle sent to another thread is
 * refused there (send the data instead).
 */
export type Handle = number & { readonly __brand: 'TensorHandle' };
/** Opaque reference to one libtorch optimizer inside the addon. */
export type OptimizerHandle = { readonly __brand: 'OptimizerHandle' };

// The addon's functions take handles, numbers, strings and arrays; their argument order is documented
// next to each C++ entry point in native/src/*.cc.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type NativeFunction = (...args: any[]) => any;

function addonPath(): string {
  const override = process.env.SPINESURV_ADDON;
  if (override) return override;
  // dist/src/torch/native.js and src/torch/native.ts are both three levels below the repository root.
  return fileURLToPath(new URL('../../../native/build/Release/spinesurv_torch.node', import.meta.url));
}

function load(): Record<string, NativeFunction> {
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(`the libtorch addon is not built (${path} is missing): run \`bash native/build.sh\` or \`npm run build\``);
  }
  return createRequire(import.meta.url)(path) as Record<string, NativeFunction>;
}

engineWillLoad();
export const native = load();
engineDidLoad((n) => native.setNumThreads(n));
