/**
 * Shared set-up for the queue tests: a small synthetic cohort, a model folder for the test double
 * scorer, a private redis-server on a random loopback port (no persistence), and the CLI launcher that
 * runs `score` / `worker` with the double.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const bin = fileURLToPath(new URL('../../../bin/spinesurv.js', import.meta.url));
export const withDouble = fileURLToPath(new URL('./fixtures/cli-with-double.js', import.meta.url));
export const doubleModule = new URL('./fixtures/double-scorer.js', import.meta.url).href;

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `spinesurv-${label}-`));
}

export function makeCohort(dir: string, patients: number, size: number): string {
  const r = spawnSync(process.execPath, [bin, 'synth', '--out', dir, '--patients', String(patients), '--size', String(size), '--seed', '7'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  return join(dir, 'images');
}

/** A Cox model on one covariate, mean_value, fitted by `spinesurv cox` on a fixed small table; `config` becomes double.json. */
export function makeDoubleModel(dir: string, config: Record<string, unknown> = {}): string {
  const rows = ['mean_value,time,event'];
  for (let i = 0; i < 40; i++) rows.push(`${1500 + 37 * ((i * 13) % 40)},${1 + ((i * 7) % 11)},${i % 3 === 0 || (i * 13) % 40 > 25 ? 1 : 0}`);
  writeFileSync(join(dir, 'fit.csv'), rows.join('\n') + '\n');
  const model = join(dir, 'model');
  const r = spawnSync(process.execPath, [bin, 'cox', '--data', join(dir, 'fit.csv'), '--time', 'time', '--event', 'event', '--covariates', 'mean_value', '--out', model], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cox failed: ${r.stderr}`);
  if (Object.keys(config).length > 0) writeFileSync(join(model, 'double.json'), JSON.stringify(config));
  return model;
}

export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** Starts redis-server on `port` (a random free one when omitted), no persistence, and waits until it answers. */
export async function startRedis(port?: number): Promise<RedisServer> {
  for (let tries = 0; tries < 5; tries++) {
    const p = port ?? 20000 + Math.floor(Math.random() * 40000);
    if (port === undefined && (await answers(p))) continue;
    const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await answers(p)) {
        return {
          port: p,
          url: `redis://127.0.0.1:${p}`,
          process: child,
          stop: () =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    if (port !== undefined) break;
  }
  throw new Error('could not start redis-server');
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function runWithDouble(args: string[]): Running {
  const child = spawn(process.execPath, [withDouble, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface PostgresServer {
  url: string;
  stop(): void;
}

/** Debian keeps the server programs in /usr/lib/postgresql/<version>/bin, off the PATH. */
function postgresBin(program: string): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort().reverse()) {
      const p = join(root, v, 'bin', program);
      if (existsSync(p)) return p;
    }
  }
  return program;
}

/**
 * A throwaway PostgreSQL cluster in its own temporary folder, on a random loopback port (trust auth, fsync off). The server
 * refuses to run as root, so as root it runs as the postgres user (Debian's package creates it).
 */
export function startPostgres(): PostgresServer {
  const dir = tempDir('pg');
  const asRoot = process.getuid?.() === 0;
  const as = (program: string, args: string[]): ReturnType<typeof spawnSync> => {
    const cmd = asRoot ? 'runuser' : postgresBin(program);
    const full = asRoot ? ['-u', 'postgres', '--', postgresBin(program), ...args] : args;
    return spawnSync(cmd, full, { encoding: 'utf8', timeout: 60_000 });
  };
  if (asRoot) spawnSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  const init = as('initdb', ['-D', data, '-A', 'trust', '-U', 'spinesurv', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  for (let tries = 0; tries < 5; tries++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const start = as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    if (start.status === 0) {
      return {
        url: `postgres://spinesurv@127.0.0.1:${port}/postgres`,
        stop: () => {
          as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  }
  throw new Error(`could not start PostgreSQL: ${readFileSync(join(dir, 'log'), 'utf8').slice(-500)}`);
}
