/**
 * Child process for the fuzz test: reads each source file, makes seeded random corruptions of it and
 * reads every copy in memory. Prints one JSON line: how many gave a valid image, how many a named
 * read error, and any other outcome (an unexpected exception, or an image that is not valid).
 * Run apart from the test runner so that a crash or a hang is seen as such by the parent.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readRadiographBytes, RadiographReadError } from '../../src/imaging/index.js';
import { Random } from '../../src/util/random.js';

function corrupt(source: Uint8Array, rng: Random): Uint8Array {
  const bytes = Uint8Array.from(source);
  const kind = rng.int(6);
  // Half of the edits land in the first 600 bytes, where the tags and codestream headers are.
  const position = () => (rng.uniform() < 0.5 ? rng.int(Math.min(600, bytes.length)) : rng.int(bytes.length));
  switch (kind) {
    case 0: {
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) bytes[position()] = rng.int(256);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, rng.int(bytes.length));
    case 2: {
      const at = position();
      const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
      const out = new Uint8Array(bytes.length + extra.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(extra, at);
      out.set(bytes.subarray(at), at + extra.length);
      return out;
    }
    case 3: {
      const at = position();
      bytes.fill(rng.uniform() < 0.5 ? 0 : 0xff, at, at + 1 + rng.int(64));
      return bytes;
    }
    case 4: {
      // a length field gone wild: four bytes set to a big number
      const at = position();
      bytes.set([rng.int(256), rng.int(256), 0xff, rng.uniform() < 0.5 ? 0xff : 0x7f].slice(0, Math.max(0, bytes.length - at)), at);
      return bytes;
    }
    default: {
      const n = 1 + rng.int(3);
      for (let i = 0; i < n; i++) bytes[position()] ^= 1 << rng.int(8);
      return bytes;
    }
  }
}

const [seedText, perFileText, ...files] = process.argv.slice(2);
const rng = new Random(Number(seedText));
const perFile = Number(perFileText);
const result = { valid: 0, errors: {} as Record<string, number>, bad: [] as string[], slowestMs: 0 };
for (const file of files) {
  const source = new Uint8Array(readFileSync(file));
  for (let k = 0; k < perFile; k++) {
    const bytes = corrupt(source, rng);
    const name = `${basename(file)}#${k}`;
    const start = performance.now();
    try {
      const r = await readRadiographBytes(name, bytes);
      let finite = true;
      for (let i = 0; i < r.pixels.length; i++) if (!Number.isFinite(r.pixels[i])) finite = false;
      if (r.rows < 1 || r.columns < 1 || r.pixels.length !== r.rows * r.columns || !finite || !Number.isFinite(r.window.center)) {
        result.bad.push(`${name}: invalid image ${r.columns}x${r.rows}, ${r.pixels.length} pixels`);
      } else {
        result.valid += 1;
      }
    } catch (error) {
      if (error instanceof RadiographReadError && error.message.startsWith(name)) {
        result.errors[error.kind] = (result.errors[error.kind] ?? 0) + 1;
      } else {
        result.bad.push(`${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
    }
    result.slowestMs = Math.max(result.slowestMs, performance.now() - start);
  }
}
process.stdout.write(JSON.stringify(result) + '\n');
