/**
 * How long reading a full-size radiograph takes: a 3000x2500 (rows x columns) 16-bit image, radiograph-
 * like (smooth anatomy, detector noise), compressed by dcmtk into JPEG Lossless SV1 (the usual PACS
 * lossless syntax), plus JPEG-LS, JPEG 2000 (openjpeg), RLE and native for comparison.
 * Each read runs in a fresh `node` process (cold: module loading, WASM compile and JIT warm-up
 * included), 5 times; the median and the best are reported, and the same for 5 warm reads in-process.
 * CPU time (user + system) of the cold read is reported too: on a shared, overloaded machine it is
 * closer to what the read costs than the wall time, which includes waiting for a core.
 *
 *   npx tsc -p . && node dist/bench/imaging/read-speed.js [--runs 5] [--only jpeg-lossless-sv1,native] [--out F.json] [--keep DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRadiograph, writeDicom } from '../../src/imaging/index.js';
import { Random } from '../../src/util/random.js';

const ROWS = 3000;
const COLUMNS = 2500;

function radiographLike(rng: Random): Uint16Array {
  const px = new Uint16Array(ROWS * COLUMNS);
  for (let y = 0; y < ROWS; y++) {
    for (let x = 0; x < COLUMNS; x++) {
      const spine = Math.exp(-(((x - 1300 - 80 * Math.sin(y / 900)) / 260) ** 2));
      const bodies = 0.5 + 0.5 * Math.cos(y / 95) ** 8;
      const soft = Math.exp(-(((x - 1250) / 900) ** 2));
      const signal = 6000 + 22000 * soft + 26000 * spine * bodies;
      px[y * COLUMNS + x] = Math.max(0, Math.min(65535, Math.round(signal + rng.normal() * 180)));
    }
  }
  return px;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
  const outPath = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
  if (process.argv[2] === '--child') {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const r = await readRadiograph(process.argv[3]);
    const used = process.cpuUsage(cpu);
    process.stdout.write(JSON.stringify({ ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, rows: r.rows, columns: r.columns }) + '\n');
    return;
  }
  const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'bench-imaging-'));
  mkdirSync(dir, { recursive: true });
  try {
    const pixels = radiographLike(new Random(3));
    const native = join(dir, 'native.dcm');
    writeDicom(native, { pixels, rows: ROWS, columns: COLUMNS, bitsStored: 16, pixelSpacing: [0.14, 0.14] });
    const files: Record<string, string> = { native };
    const encode = (name: string, tool: string, toolArgs: string[]) => {
      files[name] = join(dir, `${name}.dcm`);
      run(tool, [...toolArgs, native, files[name]]);
    };
    encode('jpeg-lossless-sv1', 'dcmcjpeg', ['+e1']);
    encode('jpeg-ls', 'dcmcjpls', []);
    encode('rle', 'dcmcrle', []);
    const pgm = join(dir, 'x.pgm');
    const body = Buffer.alloc(pixels.length * 2);
    pixels.forEach((v, i) => body.writeUInt16BE(v, 2 * i));
    writeFileSync(pgm, Buffer.concat([Buffer.from(`P5\n${COLUMNS} ${ROWS}\n65535\n`), body]));
    run('opj_compress', ['-i', pgm, '-o', join(dir, 'x.j2k')]);
    files['j2k-lossless'] = join(dir, 'j2k.dcm');
    writeDicom(files['j2k-lossless'], { pixels, rows: ROWS, columns: COLUMNS, bitsStored: 16, pixelSpacing: [0.14, 0.14], encapsulated: { transferSyntax: '1.2.840.10008.1.2.4.90', frame: readFileSync(join(dir, 'x.j2k')) } });

    const self = fileURLToPath(import.meta.url);
    const results: Record<string, unknown> = {};
    const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
    for (const [name, path] of Object.entries(files)) {
      if (only !== undefined && !only.includes(name)) continue;
      const cold: number[] = [];
      const coldCpu: number[] = [];
      const coldProcess: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [self, '--child', path], { encoding: 'utf8' });
        coldProcess.push(performance.now() - t0);
        if (r.status !== 0) throw new Error(r.stderr);
        cold.push(JSON.parse(r.stdout).ms);
        coldCpu.push(JSON.parse(r.stdout).cpuMs);
      }
      const warm: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = await readRadiograph(path);
        warm.push(performance.now() - t0);
        if (r.pixels[12345] !== pixels[12345]) throw new Error(`${name}: wrong pixel value`);
      }
      const bytes = readFileSync(path).length;
      results[name] = {
        file_mb: Number((bytes / 1e6).toFixed(2)),
        cold_read_ms_median: Math.round(median(cold)), cold_read_ms_best: Math.round(Math.min(...cold)),
        cold_read_cpu_ms_median: Math.round(median(coldCpu)),
        cold_whole_process_ms_median: Math.round(median(coldProcess)),
        warm_read_ms_median: Math.round(median(warm)), warm_read_ms_best: Math.round(Math.min(...warm)),
      };
      process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`);
    }
    const report = { image: `${ROWS}x${COLUMNS} 16-bit`, runs, node: process.version, load_average_1min: Number(loadavg()[0].toFixed(2)), results };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    if (outPath) writeFileSync(outPath, JSON.stringify(report, null, 2) + '\n');
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
