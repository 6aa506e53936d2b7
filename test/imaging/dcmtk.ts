/**
 * Runs the dcmtk and openjpeg command-line tools (Debian packages dcmtk, libopenjp2-tools, installed
 * by scripts/setup.sh), the independent producers and decoders the imaging tests compare against.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export function tool(name: string, args: string[]): ToolResult {
  const r = spawnSync(name, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${name} could not run (${r.error.message}); install dcmtk and libopenjp2-tools (scripts/setup.sh)`);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The stored pixel values as dcmtk decodes them (decompressing first when needed), little endian. */
export function dcmtkPixelBytes(dicomPath: string, transferSyntax?: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'dcmtk-raw-'));
  try {
    const plain = join(dir, 'plain.dcm');
    // dcmdjpeg, dcmdjpls and dcmdrle each decode their own syntaxes; dcmconv handles the rest.
    const syntax = transferSyntax ?? /\[([0-9.]+)\]/.exec(tool('dcmdump', ['-s', '-Un', '+P', '0002,0010', dicomPath]).stdout)![1];
    const decoder = /^1\.2\.840\.10008\.1\.2\.4\.8[01]$/.test(syntax) ? 'dcmdjpls'
      : /^1\.2\.840\.10008\.1\.2\.4\.(5\d|70)$/.test(syntax) ? 'dcmdjpeg'
      : syntax === '1.2.840.10008.1.2.5' ? 'dcmdrle' : 'dcmconv';
    tool(decoder, decoder === 'dcmconv' ? ['+te', dicomPath, plain] : [dicomPath, plain]);
    tool('dcmdump', ['-q', '+W', dir, plain]);
    const raw = readdirSync(dir).filter((f) => f.endsWith('.raw'));
    if (raw.length !== 1) throw new Error(`dcmdump +W wrote ${raw.length} raw files for ${dicomPath}`);
    return readFileSync(join(dir, raw[0]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
