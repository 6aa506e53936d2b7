/**
 * The compute-mode options shared by every command that trains or scores with the engine (`--fast`,
 * `--threads N`), and their early reading: the mode pins libtorch's kernels, which must happen before
 * libtorch loads, so main.ts reads these two options before it loads the command
 * (src/torch/compute-mode.ts says why each pin is there). The command's own parser declares them
 * too, for --help and for its usage errors.
 */
import type { OptionSpec } from './args.js';
import { UsageError } from '../util/errors.js';
import type { ComputeSettings } from '../torch/compute-mode.js';

export const COMPUTE_OPTIONS: Record<'fast' | 'threads', OptionSpec> = {
  fast: {
    type: 'boolean',
    description: "let libtorch pick the CPU's fastest kernels and use every core inside each operation: quicker, but the numbers then depend on the machine and the thread count (default: the reproducible mode, the same numbers on any x86-64 machine; see docs/engine.md)",
  },
  threads: {
    type: 'string',
    placeholder: 'N',
    description: 'cores to use (default: the cores this process may use); in the reproducible mode they run independent training jobs at once, so the count never changes a number',
  },
};

/** `--fast` and `--threads N` / `--threads=N` from a command's arguments, before its parser runs. */
export function computeFromArgv(argv: readonly string[]): Partial<ComputeSettings> {
  const out: Partial<ComputeSettings> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--fast') out.mode = 'fast';
    let value: string | undefined;
    if (a === '--threads') value = argv[i + 1];
    else if (a.startsWith('--threads=')) value = a.slice('--threads='.length);
    if (value !== undefined) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be an integer >= 1, got "${value}"`);
      out.threads = n;
    }
  }
  return out;
}
