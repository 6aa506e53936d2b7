/**
 * docs/cli.md from the code: the rules every command shares, then each command's and subcommand's
 * --help text exactly as the program prints it. `node dist/src/cli/reference-doc.js` rewrites the
 * file; test/cli/reference-doc.test.ts fails when the file and the program's --help differ.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './main.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'bin', 'spinesurv.js');

function help(args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args, '--help'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`spinesurv ${args.join(' ')} --help exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Every command path with options: ["cox"], ["dicom", "info"], ... (a command of subcommands lists them in its usage line). */
export function commandPaths(): string[][] {
  const out: string[][] = [];
  for (const { name } of COMMANDS) {
    const text = help([name]);
    const subs = /^Usage: spinesurv \S+ <([a-z|]+)>/.exec(text);
    if (subs) for (const sub of subs[1].split('|')) out.push([name, sub]);
    else out.push([name]);
  }
  return out;
}

const PREAMBLE = `# The spinesurv command line

This file is generated from the program (\`node dist/src/cli/reference-doc.js\`); a test fails when it
and \`--help\` differ. \`spinesurv --help\` lists the commands, \`spinesurv COMMAND --help\` (or \`-h\`, or
\`spinesurv help COMMAND\`) prints one command's options.

## Rules every command follows

- **Exit codes**: 0 success; 2 bad usage or bad input, with one line on stderr naming the file, line,
  column or option at fault; 1 anything else. A mistyped option or command gets the nearest real name
  ("unknown option --tie; did you mean --ties?").
- **Output**: \`--json\` prints one JSON object on stdout and nothing else there; progress and notes go to
  stderr. A reader that stops early (\`spinesurv km ... | head\`) ends the command quietly with exit 0.
- **Output folders** (\`cox --out\`, \`deepsurv fit/search --out\`, \`synth --out\`, \`study --out\`, \`demo\`'s
  \`OUT/cohort\` and \`OUT/study\`): checked before any work. A folder is written only when it is missing or
  empty, or, with \`--force\`, when it is the same command's earlier output (its \`.spinesurv-output.json\`
  lists every file written) and holds nothing else. A folder holding any file spinesurv did not write,
  an empty subfolder included, is never replaced. Folders appear whole: built under a temporary name,
  then renamed into place.
- **Inputs are never written**: an output equal to an input (\`predict --out\` = \`--data\`), or a folder
  holding an input, is refused. An output path that is a folder, \`.\`, below a file, or not writable
  gives one line naming it.
- **CSV input**: a header row (names trimmed); fields separated by commas, semicolons or tabs, the one
  the header row uses (or \`--delimiter\`); RFC 4180 quoting. An empty cell or \`NA\` is a missing value in
  every command; a missing value in a used column is an error naming \`--drop-missing\`, which leaves
  such rows out. Lines are numbered as a spreadsheet shows them (the header is line 1).
- **Events**: 1 event, 0 censored; R's 1/2 coding (1 censored, 2 event) is recognised and said on
  stderr; \`--event-value V\` names any other code for the event.
- **Text covariates** (\`cox\`): a column of text levels becomes treatment-coded dummies named as R names
  them (\`sexM\`, \`celltypesmallcell\`), against the first level in sorted order unless
  \`--reference COL=LEVEL\`; the coding is stored in the model folder and \`predict\` applies it.
- **p-values** in text output: "<0.001", else three decimals; \`--json\` keeps full precision.

## Commands
`;

export function referenceDoc(): string {
  const parts = [PREAMBLE];
  parts.push('', '```text', help([]).trimEnd(), '```');
  for (const path of commandPaths()) {
    parts.push('', `### spinesurv ${path.join(' ')}`, '', '```text', help(path).trimEnd(), '```');
  }
  return parts.join('\n') + '\n';
}

export const REFERENCE_DOC = join(root, 'docs', 'cli.md');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(REFERENCE_DOC, referenceDoc());
  process.stderr.write(`wrote ${REFERENCE_DOC}\n`);
}
