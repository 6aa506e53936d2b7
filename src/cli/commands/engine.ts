/**
 * `spinesurv engine info`: the libtorch build behind the engine (version, threads, devices).
 * `spinesurv engine demo`: trains a small CNN on generated images and prints the loss falling.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand, type CommandSpec } from '../args.js';
import { log } from '../../util/progress.js';
import { COMPUTE_OPTIONS } from '../compute-options.js';

const HELP = `Usage: spinesurv engine <info|demo> [options]

  info   libtorch version, threads, devices and build configuration
  demo   train a small CNN on generated bar images (horizontal vs vertical), printing the loss

Run \`spinesurv engine <subcommand> --help\` for the options.
`;

const infoSpec: CommandSpec = {
  usage: 'spinesurv engine info',
  description: "Shows the libtorch build behind spinesurv's tensor engine.",
  options: {
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
    config: { type: 'boolean', description: "also print libtorch's build configuration" },
    ...COMPUTE_OPTIONS,
  },
};

const demoSpec: CommandSpec = {
  usage: 'spinesurv engine demo',
  description: 'Trains a small CNN (2 conv layers, BatchNorm, Adam) to tell horizontal from vertical bars in noisy 12x12 images it generates, printing the training loss and held-out accuracy per epoch.',
  options: {
    epochs: { type: 'string', description: 'training epochs', placeholder: 'N', default: '8' },
    seed: { type: 'string', description: 'seed for the images, initialisation and batches', placeholder: 'N', default: '1' },
    ...COMPUTE_OPTIONS,
    json: { type: 'boolean', description: 'print one JSON summary on stdout' },
  },
};

async function info(argv: string[]): Promise<number> {
  const args = parseCommand(argv, infoSpec);
  if (args === null) return 0;
  const { runtimeInfo, devices, liveTensorCount } = await import('../../torch/index.js');
  const { computeRecord } = await import('../../torch/compute-mode.js');
  const rt = runtimeInfo();
  const compute = computeRecord(rt);
  const summary = {
    libtorch: rt.version,
    threads: rt.threads,
    devices: devices(),
    cudaAvailable: rt.cudaAvailable,
    mkldnn: rt.mkldnn,
    compute,
    liveTensors: liveTensorCount(),
    ...(args.flag('config') ? { buildConfig: rt.buildConfig, parallelInfo: rt.parallelInfo } : {}),
  };
  if (args.flag('json')) {
    printJson(summary);
    return 0;
  }
  process.stdout.write(
    `libtorch ${rt.version}\nthreads  ${rt.threads}\ndevices  ${summary.devices.join(', ')}\nmkldnn   ${rt.mkldnn ? 'yes' : 'no'}\n` +
      `mode     ${compute.mode} (kernels ${compute.cpu_capability}, oneDNN up to ${compute.onednn_max_isa ?? "the CPU's best"}, ${compute.threads} core(s), ` +
      `${compute.intra_op_threads} thread(s) per operation, ${compute.solo_job_threads} for the detector's training; BLAS ${compute.blas})\n`,
  );
  if (args.flag('config')) process.stdout.write(`\n${rt.buildConfig}\n${rt.parallelInfo}\n`);
  return 0;
}

async function demo(argv: string[]): Promise<number> {
  const args = parseCommand(argv, demoSpec);
  if (args === null) return 0;
  const epochs = args.integer('epochs', 8, 1);
  const seed = args.integer('seed', 1, 0);
  const { getNumThreads, runtimeInfo } = await import('../../torch/index.js');
  const { runBarDemo } = await import('../../torch/demo.js');
  log(`engine demo: libtorch ${runtimeInfo().version}, ${getNumThreads()} thread(s); 512 training and 256 held-out 12x12 images`);
  const json = args.flag('json');
  const history = runBarDemo({ seed, epochs }, (e) => {
    const line = `epoch ${String(e.epoch).padStart(2)}  loss ${e.loss.toFixed(4)}  held-out accuracy ${(100 * e.heldOutAccuracy).toFixed(1)}%  (${e.ms.toFixed(0)} ms)`;
    if (json) log(line);
    else process.stdout.write(line + '\n');
  });
  const first = history[0]!;
  const last = history[history.length - 1]!;
  if (json) {
    printJson({ epochs, seed, threads: getNumThreads(), firstLoss: first.loss, lastLoss: last.loss, heldOutAccuracy: last.heldOutAccuracy, history });
  } else {
    process.stdout.write(`loss ${first.loss.toFixed(4)} -> ${last.loss.toFixed(4)}; held-out accuracy ${(100 * last.heldOutAccuracy).toFixed(1)}%\n`);
  }
  return 0;
}

export const command: Command = {
  run: (argv) => runSubcommand(argv, HELP, { info, demo }),
};
