/**
 * `spinesurv dicom info FILE [--json] [--phi]`   what the reader found (CLI.md shape)
 * `spinesurv dicom png FILE OUT.png [--window C,W]`  a windowed 8-bit preview
 * `spinesurv dicom scan DIR [--json]`            read every file below DIR; a line per file, failures
 *                                                with their reason, without stopping at the first
 * FILE may be DICOM (any supported transfer syntax) or PNG/JPEG/TIFF. Identifying tags appear only
 * with --phi, and only on stdout.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from '../command.js';
import { parseCommand, printJson, runSubcommand, type CommandSpec } from '../args.js';
import { UsageError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { readRadiograph, RadiographReadError, type Radiograph } from '../../imaging/index.js';
import { modalityStatistics, windowToBytes } from '../../imaging/display.js';
import { writePng8 } from '../../imaging/image-files/png-writer.js';
import { checkOutputFileArg } from '../output-paths.js';
import { transferSyntaxName } from '../../imaging/dicom/transfer-syntax-names.js';

const infoSpec: CommandSpec = {
  usage: 'spinesurv dicom info',
  description: 'Print what the reader finds in a radiograph: size, encoding, spacing and where it came from, value range.',
  positionals: ['FILE'],
  options: {
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
    phi: { type: 'boolean', description: 'also print identifying tags (patient name, IDs, dates)' },
  },
};

const pngSpec: CommandSpec = {
  usage: 'spinesurv dicom png',
  description: 'Write an 8-bit greyscale PNG preview, windowed by the file\'s VOI window (or the value range), bone bright. OUT must end in .png.',
  positionals: ['FILE', 'OUT.png'],
  options: {
    window: { type: 'string', description: 'window centre and width in the reader\'s (bone-bright) values', placeholder: 'C,W' },
  },
};

const scanSpec: CommandSpec = {
  usage: 'spinesurv dicom scan',
  description: 'Read every file below DIR as a radiograph and report, per file, what was found or why it failed.',
  positionals: ['DIR'],
  options: {
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
    strict: { type: 'boolean', description: 'exit 2 when any file failed' },
  },
};

const USAGE = 'Usage: spinesurv dicom <info|png|scan> ... (spinesurv dicom <subcommand> --help)\n';

function round(x: number, digits = 6): number {
  return Number(x.toFixed(digits));
}

export function infoJson(r: Radiograph): Record<string, unknown> {
  const stats = modalityStatistics(r);
  return {
    rows: r.rows,
    columns: r.columns,
    photometric: r.photometric,
    transfer_syntax: r.transferSyntax,
    transfer_syntax_name: /^[0-9.]+$/.test(r.transferSyntax) ? transferSyntaxName(r.transferSyntax) : null,
    bits_stored: r.bitsStored,
    pixel_spacing: r.pixelSpacing,
    spacing_source: r.spacingSource,
    min: stats.min,
    max: stats.max,
    mean: round(stats.mean),
    modality: r.modality,
    view_position: r.viewPosition,
    patient_orientation: r.patientOrientation,
    laterality: r.laterality,
    body_part: r.bodyPart,
    window: { center: round(r.window.center), width: round(r.window.width), from_file: r.window.fromFile },
    inverted_monochrome1: r.inversion !== null,
    warnings: r.warnings,
    ...(r.phi !== undefined ? { phi: r.phi } : {}),
  };
}

async function info(argv: string[]): Promise<number> {
  const args = parseCommand(argv, infoSpec);
  if (args === null) return 0;
  const [file] = args.positionals;
  const r = await readRadiograph(file, { phi: args.flag('phi') });
  const out = infoJson(r);
  if (args.flag('json')) {
    printJson(out);
    return 0;
  }
  const lines = Object.entries(out).map(([k, v]) => `${k.padEnd(20)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function png(argv: string[]): Promise<number> {
  const args = parseCommand(argv, pngSpec);
  if (args === null) return 0;
  const [file, out] = args.positionals;
  // PNG is the one format written: an output named .jpg would be PNG bytes under a JPEG name.
  if (!/\.png$/i.test(out)) {
    throw new UsageError(`${pngSpec.usage}: ${out}: writes PNG only; name the output with .png (e.g. ${out.replace(/\.[A-Za-z0-9]+$/, '')}.png)`);
  }
  const windowArg = args.numberList('window');
  if (windowArg !== undefined && (windowArg.length !== 2 || !(windowArg[1] >= 1))) {
    throw new UsageError(`${pngSpec.usage}: --window takes "centre,width" with width >= 1`);
  }
  checkOutputFileArg(out, [file]);
  const r = await readRadiograph(file);
  const window = windowArg === undefined ? r.window : { center: windowArg[0], width: windowArg[1] };
  writePng8(out, windowToBytes(r.pixels, window), r.columns, r.rows);
  return 0;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

async function scan(argv: string[]): Promise<number> {
  const args = parseCommand(argv, scanSpec);
  if (args === null) return 0;
  const [dir] = args.positionals;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`${scanSpec.usage}: ${dir} is not a directory`);
  const files = listFiles(dir);
  const bar = progress('dicom scan', files.length);
  const results: Record<string, unknown>[] = [];
  const byKind: Record<string, number> = {};
  for (const [i, path] of files.entries()) {
    const name = relative(dir, path);
    try {
      const r = await readRadiograph(path);
      results.push({
        file: name, ok: true, rows: r.rows, columns: r.columns, transfer_syntax: r.transferSyntax, photometric: r.photometric,
        bits_stored: r.bitsStored, pixel_spacing: r.pixelSpacing, spacing_source: r.spacingSource, view_position: r.viewPosition,
        warnings: r.warnings,
      });
    } catch (error) {
      if (!(error instanceof RadiographReadError)) throw error;
      byKind[error.kind] = (byKind[error.kind] ?? 0) + 1;
      results.push({ file: name, ok: false, kind: error.kind, reason: error.reason });
    }
    bar.tick(i + 1);
  }
  bar.done();
  const failed = results.filter((r) => r.ok === false).length;
  if (args.flag('json')) {
    printJson({ dir, files: files.length, ok: files.length - failed, failed, failures_by_kind: byKind, results });
  } else {
    for (const r of results) {
      process.stdout.write(r.ok
        ? `ok      ${r.file}  ${r.columns}x${r.rows} ${r.bits_stored}-bit ${r.photometric} ${r.transfer_syntax} spacing ${JSON.stringify(r.pixel_spacing)} (${r.spacing_source})\n`
        : `FAILED  ${r.file}  [${r.kind}] ${r.reason}\n`);
    }
    process.stdout.write(`${files.length} files: ${files.length - failed} read, ${failed} failed\n`);
  }
  return failed > 0 && args.flag('strict') ? 2 : 0;
}

export const command: Command = {
  run: (argv) => runSubcommand(argv, USAGE, { info, png, scan }),
};
