/**
 * What the tests need from the machine, read from the tests themselves: the programs they run (dcmtk,
 * dicom3tools, openjpeg, chromium, Redis, PostgreSQL, R, Python), the R packages their R code loads and
 * the Python modules their Python code imports, each mapped to the Debian package that provides it.
 * scripts/setup.sh promises to install "the Debian packages the tests need"; setup-packages.test.ts holds
 * it to that by comparing these needs with its `packages` array, so that a test added with a new tool
 * fails here, naming the package, instead of on a fresh machine with "command not found".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export interface Provider {
  /** The Debian package that provides it. */
  package: string;
  /** A package in setup.sh's list that depends on `package` (so it comes with that one); none: listed itself. */
  via?: string;
}

interface Program extends Provider {
  /** How a test names it; by default the bare name in quotes or an absolute /usr/bin path. */
  pattern?: RegExp;
}

const dcmtk: Provider = { package: 'dcmtk' };
const postgres: Provider = { package: 'postgresql-15', via: 'postgresql' };

/** Programs a test may run, with where Debian has them (checked with `dpkg -S $(command -v NAME)`). */
export const PROGRAMS: Record<string, Program> = {
  ...Object.fromEntries(
    ['echoscu', 'storescu', 'storescp', 'findscu', 'movescu', 'getscu', 'dcmqrscp', 'dcmdump', 'dcmodify', 'dcmconv', 'dsrdump', 'dcm2pnm', 'dcmj2pnm',
      'dcmdjpeg', 'dcmdjpls', 'dcmdrle', 'dcmcjpeg', 'dcmcjpls', 'dcmcrle', 'img2dcm', 'dcm2xml', 'xml2dcm', 'dcmftest', 'dcmmkdir'].map((p) => [p, dcmtk]),
  ),
  dciodvfy: { package: 'dicom3tools' },
  dcdump: { package: 'dicom3tools' },
  opj_compress: { package: 'libopenjp2-tools' },
  opj_decompress: { package: 'libopenjp2-tools' },
  chromium: { package: 'chromium' },
  'redis-server': { package: 'redis-server' },
  'redis-cli': { package: 'redis-tools', via: 'redis-server' },
  ...Object.fromEntries(['psql', 'initdb', 'pg_ctl', 'pg_ctlcluster', 'createdb', 'postgres'].map((p) => [p, postgres])),
  Rscript: { package: 'r-base-core', via: 'r-cran-survival' },
  python3: { package: 'python3', via: 'python3-torch' },
  // Only as an absolute path: "time" is also a column name all over the survival tests.
  time: { package: 'time', pattern: /\/usr\/bin\/time\b/ },
};

/** Programs every Debian system has (Essential: yes), or that are not Debian's to give (Node itself). */
export const ESSENTIAL = new Set(['bash', 'sh', 'sha256sum', 'chown', 'chmod', 'cat', 'cp', 'mv', 'rm', 'ls', 'kill', 'sleep', 'true', 'false', 'env', 'head', 'tail', 'runuser', 'su', 'taskset', 'node']);

/** R's base and recommended-with-R packages that come with r-base-core. */
const R_BASE = new Set(['base', 'stats', 'utils', 'methods', 'graphics', 'grDevices', 'datasets', 'splines', 'tools', 'grid', 'parallel', 'compiler', 'stats4', 'tcltk']);

/** Python's standard library modules the tests' Python may import (python3 itself has them). */
const PYTHON_STDLIB = new Set(['json', 'struct', 'sys', 'math', 'os', 'array', 'pathlib', 're', 'io', 'collections', 'itertools', 'functools', 'typing', 'random', 'hashlib', 'zlib', 'base64', 'time', 'subprocess', 'tempfile', 'shutil', 'argparse', 'dataclasses']);

/** Third-party Python modules and their Debian packages. */
export const PYTHON_MODULES: Record<string, Provider> = {
  torch: { package: 'python3-torch' },
  torchvision: { package: 'python3-torchvision' },
  numpy: { package: 'python3-numpy', via: 'python3-torch' },
};

/** One thing a test needs, where it was seen, and the package it needs (undefined: nobody knows which). */
export interface Need {
  what: string;
  file: string;
  provider: Provider | undefined;
}

/** The `packages=(...)` array of scripts/setup.sh (the default list, not the --bench additions). */
export function setupPackages(setupSh: string): string[] {
  const m = /^packages=\(([^)]*)\)/m.exec(setupSh);
  if (m === null) throw new Error('scripts/setup.sh: no `packages=(...)` line');
  return m[1].split(/\s+/).filter((p) => p !== '');
}

/** TypeScript with its comments taken out: a program named in a comment is not one a test runs. */
function withoutComments(ts: string): string {
  return ts.replace(/\/\*[\s\S]*?\*\//g, '').split('\n').filter((l) => !/^\s*\/\//.test(l)).map((l) => l.replace(/\s\/\/ .*$/, '')).join('\n');
}

const SPAWNED = /\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync|tool|dcmtk|startScp)\(\s*['"`]([^'"`\s]+)/g;

function programsIn(code: string, file: string): Need[] {
  const needs: Need[] = [];
  for (const [name, program] of Object.entries(PROGRAMS)) {
    const pattern = program.pattern ?? new RegExp(`['"\`/]${name.replace(/[-]/g, '\\-')}['"\` ]`);
    if (pattern.test(code)) needs.push({ what: `program ${name}`, file, provider: program });
  }
  // A spawned program the table does not know is a need nobody has mapped: reported, not ignored.
  for (const m of code.matchAll(SPAWNED)) {
    const name = basename(m[1]);
    if (!Object.hasOwn(PROGRAMS, name) && !ESSENTIAL.has(name)) needs.push({ what: `program ${name}`, file, provider: undefined });
  }
  return needs;
}

function rPackagesIn(code: string, file: string): Need[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/\b(?:library|require|requireNamespace)\(\s*['"]?([A-Za-z][A-Za-z0-9.]*)/g)) names.add(m[1]);
  // pkg::fn( is a call; pkg::fn without one is prose (a test's title: "agree with survival::concordance").
  for (const m of code.matchAll(/\b([A-Za-z][A-Za-z0-9.]*)::[A-Za-z.][\w.]*\(/g)) names.add(m[1]);
  return [...names].filter((n) => !R_BASE.has(n)).map((n) => ({ what: `R package ${n}`, file, provider: { package: `r-cran-${n.toLowerCase()}` } }));
}

function pythonModulesIn(lines: string[], file: string): Need[] {
  const names = new Set<string>();
  for (const line of lines) {
    const imp = /^\s*import\s+([A-Za-z_][\w.]*(?:\s+as\s+\w+)?(?:\s*,\s*[A-Za-z_][\w.]*(?:\s+as\s+\w+)?)*)\s*$/.exec(line);
    if (imp !== null) for (const part of imp[1].split(',')) names.add(part.trim().split(/[\s.]/)[0]);
    const from = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\s/.exec(line);
    if (from !== null) names.add(from[1].split('.')[0]);
  }
  return [...names].filter((n) => !PYTHON_STDLIB.has(n)).map((n) => ({ what: `Python module ${n}`, file, provider: PYTHON_MODULES[n] }));
}

/** Python code inside a TypeScript test: the contents of its string literals, one per line. */
function pythonInStrings(code: string): string[] {
  return [...code.matchAll(/(['"`])((?:import|from)\s[^'"`]*)\1/g)].flatMap((m) => m[2].split('\n'));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? walk(path) : [path];
  });
}

/**
 * Every need of the tests under `testDir` (TypeScript sources, and the R and Python files a test names),
 * except `skip` (this check's own files, whose table names every program).
 */
export function testNeeds(root: string, testDir: string, skip: string): Need[] {
  const files = walk(testDir).filter((f) => !relative(testDir, f).startsWith(skip));
  const ts = files.filter((f) => f.endsWith('.ts'));
  const code = new Map(ts.map((f) => [f, withoutComments(readFileSync(f, 'utf8'))]));
  const allCode = [...code.values()].join('\n');
  const needs: Need[] = [];
  for (const [f, c] of code) {
    const rel = relative(root, f);
    needs.push(...programsIn(c, rel), ...rPackagesIn(c, rel), ...pythonModulesIn(pythonInStrings(c), rel));
  }
  // R and Python files count when a test names them (test/fixtures/survival/*.R made stored references once and are not run).
  for (const f of files.filter((x) => /\.(R|py)$/.test(x) && allCode.includes(basename(x)))) {
    const rel = relative(root, f);
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.R')) needs.push(...rPackagesIn(text.replace(/#.*$/gm, ''), rel));
    else needs.push(...pythonModulesIn(text.replace(/#.*$/gm, '').split('\n'), rel));
  }
  return needs;
}

/** One line per need that setup.sh does not meet, naming the test file and the package to add; empty when all are met. */
export function unmetNeeds(needs: Need[], packages: string[]): string[] {
  const listed = new Set(packages);
  const out = new Set<string>();
  for (const n of needs) {
    if (n.provider === undefined) {
      out.add(`${n.file}: runs ${n.what}, which test/tooling/external-tools.ts does not know: add it there with the Debian package that provides it, and that package to scripts/setup.sh`);
      continue;
    }
    const needed = n.provider.via ?? n.provider.package;
    if (!listed.has(needed)) {
      const how = n.provider.via === undefined ? '' : ` (${n.provider.package} comes with ${n.provider.via})`;
      out.add(`${n.file}: uses ${n.what}, from Debian package ${n.provider.package}${how}: add ${needed} to \`packages\` in scripts/setup.sh`);
    }
  }
  return [...out];
}
