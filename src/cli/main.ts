/**
 * The `spinesurv` command line. Each command lives in its own file, src/cli/commands/<name>.ts,
 * exporting `command`; commands are loaded on demand, so `spinesurv cox` never loads libtorch.
 */
import { exitCodeFor } from '../util/errors.js';
import { toolVersion } from '../util/tool-version.js';
import type { Command } from './command.js';
import { closestName } from './suggest.js';
import { computeFromArgv } from './compute-options.js';
import { chooseComputeMode } from '../torch/compute-mode.js';

/**
 * Every command, in the order `spinesurv --help` lists them (the stages of SYSTEM.md). The image
 * stages (landmarks, preprocess) join this list when they are built.
 */
export const COMMANDS: { name: string; summary: string }[] = [
  { name: 'synth', summary: 'generate a synthetic cohort with known truth (DICOM, keypoints, masks, CSV)' },
  { name: 'dicom', summary: 'inspect radiographs: `dicom info FILE`, `dicom png FILE OUT.png`, `dicom scan DIR`' },
  { name: 'annotate', summary: 'place L1-L5 on a cohort\'s training radiographs in the browser, with the detector in the loop' },
  { name: 'landmarks', summary: 'find L1-L5 on radiographs: `landmarks train`, `landmarks predict`, `landmarks evaluate`, `landmarks agreement`' },
  { name: 'preprocess', summary: 'align radiographs on L1 and L5 and cut the six image variants (full L1-L5 / L1-L4, patches, with or without masks)' },
  { name: 'cox', summary: 'fit a Cox proportional-hazards model' },
  { name: 'km', summary: 'Kaplan-Meier estimate with Greenwood confidence intervals, log-rank test' },
  { name: 'concordance', summary: "Harrell's and Uno's C-index with standard error and bootstrap CI" },
  { name: 'table1', summary: 'Table 1: descriptive statistics by group with t / chi-square tests' },
  { name: 'deepsurv', summary: 'fit a DeepSurv network: `deepsurv fit`, `deepsurv search`' },
  { name: 'imagesurv', summary: 'fit an image DeepSurv model on a preprocessed variant: `imagesurv fit`' },
  { name: 'predict', summary: 'score rows with a saved model (Cox, DeepSurv, image models)' },
  { name: 'score', summary: 'score a whole archive of radiographs: worker threads here, or a shared queue (--queue)' },
  { name: 'worker', summary: 'serve the shared scoring queue from this machine (`score --queue` fills it)' },
  { name: 'serve', summary: 'a DICOM node that scores every lumbar radiograph it receives, with results over HTTP and a web viewer' },
  { name: 'queue', summary: 'the shared scoring queue: `queue status` (counts, workers, dead letters)' },
  { name: 'cohort', summary: 'check a cohort before the study: `cohort check` (rows, radiograph headers, annotations, events; every problem by line)' },
  { name: 'study', summary: 'run the whole study on a cohort and write results.json and report.html' },
  { name: 'validate', summary: "apply a finished study's models to another site's cohort: discrimination, calibration, net benefit, recalibration" },
  { name: 'demo', summary: 'generate the synthetic cohort and run the study on it' },
  { name: 'engine', summary: 'the tensor engine: `engine info`, `engine demo` (train a small CNN)' },
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: spinesurv <command> [options]   (spinesurv <command> --help for its options)',
    '',
    'Predict incident vertebral fracture from lateral lumbar spine radiographs.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 success, 2 bad usage or bad input, 1 other failures.',
  ].join('\n') + '\n';
}

async function loadCommand(name: string): Promise<Command | null> {
  if (!COMMANDS.some((c) => c.name === name)) return null;
  try {
    const module = (await import(`./commands/${name}.js`)) as { command: Command };
    return module.command;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`commands/${name}.js`)) {
      return null;
    }
    throw error;
  }
}

/**
 * A reader that stops early (`spinesurv km ... | head`) closes the pipe: that is the reader's choice,
 * not a failure, so the command ends quietly with exit 0 instead of an unhandled EPIPE.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  const guarded = stream as { spinesurvPipeGuard?: boolean };
  if (guarded.spinesurvPipeGuard) return;
  guarded.spinesurvPipeGuard = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  let [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) {
    // `spinesurv help cox` is `spinesurv cox --help`; `spinesurv help dicom png` that of the subcommand.
    [name, ...rest] = [...rest, '--help'];
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  try {
    // Before the command (and with it libtorch) loads: the kernels are chosen when libtorch loads.
    chooseComputeMode(computeFromArgv(rest));
    const command = await loadCommand(name);
    if (command === null) {
      const near = closestName(name, COMMANDS.map((c) => c.name));
      process.stderr.write(`spinesurv: unknown command "${name}"${near ? `; did you mean ${near}?` : ''} (see spinesurv --help)\n`);
      return 2;
    }
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    const code = exitCodeFor(error);
    const message = error instanceof Error ? error.message : String(error);
    // Usage errors from parseCommand already start with the command (and subcommand) they concern.
    const named = message.startsWith(`spinesurv ${name} `) || message.startsWith(`spinesurv ${name}:`);
    process.stderr.write(named ? `${message}\n` : `spinesurv ${name}: ${message}\n`);
    if (code === 1 && process.env.SPINESURV_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return code;
  }
}

/** Async for the commands that await it; the one reader of package.json is toolVersion. */
export async function version(): Promise<string> {
  return toolVersion();
}
