/**
 * Shared set-up for the annotation server's tests: a small synthetic cohort of our own (tests may
 * damage its files), `spinesurv annotate` as a real process (its URL read from its stderr line), the
 * cohort generator's true points as the simulated annotator's clicks, and JSON requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { bin, cli, tempDir } from '../helpers.js';

export { cli, tempDir };

export interface AnnotateProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function smallCohort(label: string, patients = 16): string {
  const dir = join(tempDir(label), 'cohort');
  cli(['synth', '--out', dir, '--patients', String(patients), '--size', '256', '--seed', '5', '--workers', '0']);
  return dir;
}

export async function startAnnotate(args: string[]): Promise<AnnotateProcess> {
  const child = spawn(process.execPath, [bin, 'annotate', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /annotate: (http:\/\/\S+)/.exec(err);
    if (m !== null) return { child, url: m[1]!, stderr: () => err, exited };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`spinesurv annotate did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The cohort's training rows in file order: what the worklist must hold (its index = position here). */
export function trainingImages(cohort: string): string[] {
  const rows = parse(readFileSync(join(cohort, 'cohort.csv')), { columns: true }) as Record<string, string>[];
  return rows.filter((r) => r.split === 'train').map((r) => r.image!);
}

/**
 * The generator's true L1-L5 of an image in COCO's convention: its keypoints.json puts the centre of
 * the top-left pixel at (0, 0) (info.coordinates), so 0.5 is added, as docs/landmarks.md says.
 */
export function truePoints(cohort: string, image: string): number[] {
  const doc = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')) as {
    images: { id: number; file_name: string }[]; annotations: { image_id: number; keypoints: number[] }[];
  };
  const id = doc.images.find((im) => im.file_name === image)!.id;
  const k = doc.annotations.find((a) => a.image_id === id)!.keypoints;
  return [0, 1, 2, 3, 4].flatMap((j) => [k[3 * j]! + 0.5, k[3 * j + 1]! + 0.5]);
}

export async function json(url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
