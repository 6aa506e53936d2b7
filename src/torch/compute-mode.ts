/**
 * How the engine computes: `reproducible` (the default) or `fast`.
 *
 * The same seed must give the same numbers on any x86-64 machine. Four things make libtorch's last
 * bits depend on the machine, and a model that early-stops or a detector that flags on a threshold
 * turns those bits into other results (issue 20: model 3's test C 0.810 on one CPU, 0.572 on another):
 * - ATen's vector kernels: chosen at run time from the CPU (AVX-512, AVX2 or none); the reproducible
 *   mode pins ATEN_CPU_CAPABILITY=avx2 on a CPU that has AVX2 and FMA, so an AVX-512 machine runs what
 *   an AVX2 machine runs. It pinned `default` (the level every x86-64 CPU has) until the detector was
 *   measured: its training step took 633 ms with the default kernels against 302 ms with AVX2 (one
 *   thread, batch 16 at 256 px), and the default level bought no portability, because oneDNN below
 *   is pinned at AVX2 anyway: a CPU without AVX2 gets other convolutions whatever ATen runs. Such a
 *   CPU runs the default kernels, and the record says so.
 * - oneDNN's convolution kernels: chosen from the CPU's instruction set; pinned to AVX2
 *   (DNNL_MAX_CPU_ISA, and ONEDNN_MAX_CPU_ISA for newer oneDNN), so an AVX-512 machine runs what an
 *   AVX2 machine runs. Pinning SSE4.1 instead doubled the time of a training step (measured: 1.72 s
 *   against 0.96 s for a batch of 64 through the CPU profile's ResNet); a CPU without AVX2 (none sold
 *   as a server since 2015) is reported in the record, not hidden.
 * - the BLAS core type: OpenBLAS, when it is the system's libblas, picks kernels and block sizes by the
 *   CPU and its L2 size; both are pinned (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, one BLAS thread).
 *   Debian's default libblas (the reference BLAS) has neither.
 * - the thread layout of reductions: oneDNN sums a weight gradient over the batch in per-thread
 *   pieces, so 1 and 2 intra-op threads give other weights (measured). The reproducible mode runs
 *   each training job on one intra-op thread and uses the other cores by running independent jobs at
 *   once (the image models, the members of a seed ensemble), so the numbers do not depend on how many
 *   cores there are.
 *
 * All of these are read when libtorch is first loaded, so the mode must be chosen before that: the CLI
 * does it before it loads a command (main.ts), and native.ts applies the runtime part when it loads.
 * `fast` leaves every kernel choice to libtorch and uses every core inside each operation.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export type ComputeMode = 'reproducible' | 'fast';

export interface ComputeSettings {
  mode: ComputeMode;
  /** Cores to use: intra-op threads in the fast mode, parallel jobs in the reproducible mode. */
  threads: number;
}

/** What a result records about how it was computed (manifest.json and results.json). */
export interface ComputeRecord {
  mode: ComputeMode;
  /** Cores used (see ComputeSettings.threads). */
  threads: number;
  /** libtorch intra-op threads per job. */
  intra_op_threads: number;
  /** Intra-op threads of a job that runs alone (the keypoint detector's training): soloJobThreads(). */
  solo_job_threads: number;
  /** ATen's vector kernels in use ('default', 'avx2', 'avx512'). */
  cpu_capability: string;
  /** The oneDNN instruction-set ceiling asked for (null: oneDNN's own choice). */
  onednn_max_isa: string | null;
  /** The system BLAS library libtorch loaded. */
  blas: string;
  /** Whether the numbers depend on the thread count (false in the reproducible mode). */
  threads_change_results: boolean;
}

/** Whether this CPU runs AVX2 with FMA (what ATen's avx2 kernels are built for), from /proc/cpuinfo. */
export function cpuHasAvx2(): boolean {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
    return /\bavx2\b/.test(flags) && /\bfma\b/.test(flags);
  } catch {
    return false;
  }
}

/**
 * The ATen kernel level the reproducible mode pins: avx2 where the CPU has it (every x86-64 server CPU
 * since 2015), else default. Forcing avx2 on a CPU without it would stop on an illegal instruction.
 */
export function reproducibleCpuCapability(): 'avx2' | 'default' {
  return cpuHasAvx2() ? 'avx2' : 'default';
}

/** The environment the reproducible mode sets before libtorch loads. */
export const REPRODUCIBLE_ENV: Readonly<Record<string, string>> = {
  ATEN_CPU_CAPABILITY: reproducibleCpuCapability(),
  DNNL_MAX_CPU_ISA: 'AVX2',
  ONEDNN_MAX_CPU_ISA: 'AVX2',
  OPENBLAS_CORETYPE: 'Haswell',
  OPENBLAS_L2_SIZE: '262144',
  OPENBLAS_NUM_THREADS: '1',
  OMP_NUM_THREADS: '1',
};

/** The cores this process may use (its CPU affinity). */
export function availableCores(): number {
  return Math.max(1, availableParallelism());
}

let chosen: ComputeSettings | null = null;
let engineLoaded = false;

/** The mode from the environment when no command chose one: SPINESURV_COMPUTE=fast|reproducible, SPINESURV_THREADS=N. */
function fromEnvironment(): ComputeSettings {
  const mode = process.env.SPINESURV_COMPUTE === 'fast' ? 'fast' : 'reproducible';
  const t = Number(process.env.SPINESURV_THREADS);
  return { mode, threads: Number.isInteger(t) && t >= 1 ? t : availableCores() };
}

/**
 * Chooses the mode for this process. Must run before libtorch loads (the first import of the
 * engine); a later call that asks for other settings throws, since the kernels are already chosen.
 */
export function chooseComputeMode(settings: Partial<ComputeSettings> = {}): ComputeSettings {
  const base = fromEnvironment();
  const next: ComputeSettings = { mode: settings.mode ?? base.mode, threads: settings.threads ?? base.threads };
  if (!Number.isInteger(next.threads) || next.threads < 1) throw new RangeError(`threads must be an integer >= 1, got ${next.threads}`);
  if (engineLoaded) {
    const now = currentComputeSettings();
    if (now.mode !== next.mode) throw new Error(`the engine is already loaded in the ${now.mode} mode; choose the compute mode before loading it`);
    chosen = next;
    return next;
  }
  chosen = next;
  if (next.mode === 'reproducible') {
    for (const [k, v] of Object.entries(REPRODUCIBLE_ENV)) process.env[k] = v;
    process.env.SPINESURV_PINNED = '1';
  } else if (process.env.SPINESURV_PINNED === '1') {
    // A --fast child of a reproducible process inherits its pins: they are ours, not the user's, so they go.
    for (const k of Object.keys(REPRODUCIBLE_ENV)) delete process.env[k];
    delete process.env.SPINESURV_PINNED;
  }
  // Worker threads and child processes read the choice from the environment.
  process.env.SPINESURV_COMPUTE = next.mode;
  process.env.SPINESURV_THREADS = String(next.threads);
  return next;
}

/** The settings in force (the environment's when nothing chose). */
export function currentComputeSettings(): ComputeSettings {
  return chosen ?? fromEnvironment();
}

/** libtorch intra-op threads for one job. */
export function intraOpThreads(settings: ComputeSettings = currentComputeSettings()): number {
  return intraOpThreadsPerJob(1, settings);
}

/**
 * libtorch intra-op threads for each of `jobs` jobs that run at once (a pool of scoring threads): 1 in
 * the reproducible mode, whatever the count, so that no result depends on it; the fast mode shares the
 * cores out, so that the jobs together do not ask for more threads than there are cores.
 */
export function intraOpThreadsPerJob(jobs: number, settings: ComputeSettings = currentComputeSettings()): number {
  return settings.mode === 'fast' ? Math.max(1, Math.floor(settings.threads / Math.max(1, jobs))) : 1;
}

/**
 * Intra-op threads of a job that runs alone, with nothing to run beside it: the keypoint detector's
 * training, which every later stage waits for. In the reproducible mode a fixed count, not the cores:
 * oneDNN sums a weight gradient in per-thread pieces, so the count is part of the numbers. Two on every
 * machine (a one-core machine runs both on its core: the same numbers, slower): a detector step took
 * 177 ms on two threads against 302 ms on one (AVX2 kernels, batch 16 at 256 px, 2-core AMD EPYC).
 * With --fast, the cores chosen.
 */
export const SOLO_JOB_THREADS = 2;

export function soloJobThreads(settings: ComputeSettings = currentComputeSettings()): number {
  return settings.mode === 'fast' ? settings.threads : SOLO_JOB_THREADS;
}

/**
 * What a cached stage's key must hold of the compute mode: the mode and, in the reproducible mode, the
 * pinned kernel level (a stage computed with AVX2 kernels is not reused where only the default ones run).
 */
export function computeCacheKey(settings: ComputeSettings = currentComputeSettings()): string {
  return settings.mode === 'fast' ? 'fast' : `reproducible/${process.env.ATEN_CPU_CAPABILITY ?? reproducibleCpuCapability()}/${SOLO_JOB_THREADS}`;
}

/** How many independent training jobs may run at once. */
export function parallelJobs(settings: ComputeSettings = currentComputeSettings()): number {
  return settings.mode === 'reproducible' ? settings.threads : 1;
}

/**
 * Called by native.ts just before it loads the addon: a process that chose no mode (a library user, a
 * test) gets the environment's (reproducible unless SPINESURV_COMPUTE=fast), pins included.
 */
export function engineWillLoad(): void {
  if (chosen === null) chooseComputeMode();
}

/** Called by native.ts once the addon is loaded: the runtime part (threads). */
export function engineDidLoad(setThreads: (n: number) => void): void {
  engineLoaded = true;
  setThreads(intraOpThreads());
}

/** What manifest.json and results.json record. */
export function computeRecord(runtime: { cpuCapability: string; threads: number }): ComputeRecord {
  const settings = currentComputeSettings();
  return {
    mode: settings.mode,
    threads: settings.threads,
    intra_op_threads: runtime.threads,
    solo_job_threads: soloJobThreads(settings),
    cpu_capability: runtime.cpuCapability,
    onednn_max_isa: process.env.DNNL_MAX_CPU_ISA ?? process.env.ONEDNN_MAX_CPU_ISA ?? null,
    blas: systemBlas(),
    threads_change_results: settings.mode === 'fast' && settings.threads > 1,
  };
}

/** The BLAS library mapped into this process (its real file: libblas.so.3 is an alternatives link). */
function systemBlas(): string {
  if (process.platform !== 'linux') return 'unknown';
  try {
    const line = readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => /libblas|openblas|blis|mkl_rt/i.test(l));
    if (line === undefined) return 'unknown';
    const path = line.slice(line.indexOf('/'));
    return realpathSync(path);
  } catch {
    return 'unknown';
  }
}
