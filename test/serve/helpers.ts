/**
 * Shared set-up for the serve tests: a tiny image model (trained once per test file), `spinesurv
 * serve` as a real process (its bound ports read from its stderr line), dcmtk's echoscu / storescu /
 * dcmdump as the clients and the reference, and plain fetch for HTTP.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
export { tinyImageModel } from '../fixtures/tiny-image-model.js';

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `spinesurv-${label}-`));
}

export function cli(args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`spinesurv ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}


/** A synthetic cohort's radiographs to send (sorted paths). */
export function radiographs(dir: string, patients: number, seed: number): string[] {
  cli(['synth', '--out', dir, '--patients', String(patients), '--size', '256', '--seed', String(seed)]);
  const images = join(dir, 'images');
  return readdirSync(images).sort().map((f) => join(images, f));
}

export interface ServeProcess {
  child: ChildProcess;
  dicomPort: number;
  httpUrl: string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** SIGTERM and wait. */
  stop(): Promise<number | null>;
}

/** Starts `spinesurv serve` with ports 0 and waits for its "serve: dicom HOST:PORT ... http URL" line. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--dicom-port', '0', '--http-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /serve: dicom \S+:(\d+) .* http (http:\/\/\S+)/.exec(err);
    if (m !== null) {
      return {
        child, dicomPort: Number(m[1]), httpUrl: m[2], stderr: () => err, exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface DcmtkRun {
  status: number | null;
  output: string;
}

export function echoscu(port: number, callingAe = 'TESTSCU', calledAe = 'SPINESURV'): DcmtkRun {
  const r = spawnSync('echoscu', ['-aet', callingAe, '-aec', calledAe, '127.0.0.1', String(port)], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** storescu -v (so that each file's response is in the log); -nh: go on after a refused file. */
export function storescu(port: number, files: string[], options: { callingAe?: string; calledAe?: string; extra?: string[] } = {}): DcmtkRun {
  const r = spawnSync('storescu', ['-v', '-nh', ...(options.extra ?? []), '-aet', options.callingAe ?? 'TESTSCU', '-aec', options.calledAe ?? 'SPINESURV', '127.0.0.1', String(port), ...files], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** The files storescu's log says were acknowledged with Success, and those answered otherwise. */
export function acknowledged(log: string): { success: string[]; refused: string[] } {
  const success: string[] = [];
  const refused: string[] = [];
  let current: string | null = null;
  for (const line of log.split('\n')) {
    const sending = /Sending file: (.+)$/.exec(line);
    if (sending !== null) current = sending[1].trim();
    const response = /Received Store Response \((.+)\)/.exec(line);
    if (response !== null && current !== null) {
      (response[1] === 'Success' ? success : refused).push(current);
      current = null;
    }
  }
  return { success, refused };
}

/** dcmtk's reading of a file: its SOP Instance UID and the sha256 of its pixel data (dcmdump +W; every item, in order, when encapsulated). */
export function dcmtkIdentity(file: string): { sopInstanceUid: string; pixelSha256: string } {
  const out = tempDir('dcmdump');
  try {
    const r = spawnSync('dcmdump', ['+W', out, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`dcmdump ${file}: ${r.stderr}`);
    const m = /^\(0008,0018\) UI \[([^\]]*)\]/m.exec(r.stdout);
    // Native pixel data is one .raw file; encapsulated pixel data one per item (offset table, fragments), named NAME.<i>.raw.
    const index = (f: string): number => Number(/\.(\d+)\.raw$/.exec(f)?.[1] ?? -1);
    const raws = readdirSync(out).sort((a, b) => index(a) - index(b));
    if (m === null || raws.length === 0) throw new Error(`dcmdump ${file}: no SOP Instance UID or pixel data (${r.stdout})`);
    const hash = createHash('sha256');
    for (const raw of raws) hash.update(readFileSync(join(out, raw)));
    return { sopInstanceUid: m[1], pixelSha256: hash.digest('hex') };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface ResultJson {
  sop_instance_uid: string;
  status: string;
  risk: number | null;
  surv: Record<string, number> | null;
  flags: string[];
  received_at: string;
  scored_at: string | null;
  [key: string]: unknown;
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { headers });
  return { status: r.status, body: (await r.json()) as T };
}

export async function results(httpUrl: string): Promise<ResultJson[]> {
  const r = await getJson<ResultJson[]>(`${httpUrl}/api/results`);
  if (r.status !== 200) throw new Error(`/api/results: ${r.status}`);
  return r.body;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * storescu as a child process, resolving with its log when it ends: for a server running in this
 * process (spawnSync would block the server answering it), or in the background during a kill -9.
 */
export function storescuAsync(port: number, files: string[], options: { callingAe?: string; calledAe?: string; extra?: string[] } = {}): Promise<DcmtkRun> {
  return new Promise((resolve) => {
    const child = spawn('storescu', ['-v', '-nh', ...(options.extra ?? []), '-aet', options.callingAe ?? 'TESTSCU', '-aec', options.calledAe ?? 'SPINESURV', '127.0.0.1', String(port), ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ status: code, output: out }));
  });
}

/** A TCP port free on 127.0.0.1 right now (for a program that cannot be given port 0, like storescp). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A request with the Host header we choose (fetch does not let a caller set it). */
export function withHost(url: string, host: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { host, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
