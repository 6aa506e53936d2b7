#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/ (run `npm run build` or `npm test` once).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('spinesurv: not built yet; run `npm run setup` (or `npm test`) in ' + root + '\n');
  process.exit(1);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
