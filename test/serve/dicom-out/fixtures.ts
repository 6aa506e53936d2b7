/**
 * A source radiograph as a PACS would send it: a 256 px synthetic lateral lumbar DICOM from
 * `spinesurv synth`, given by dcmtk's dcmodify the patient and study attributes a real file carries
 * (a Latin-1 patient name under ISO_IR 100, birth date, sex, accession, study date/time/ID,
 * referring physician), and a made-up score for it. Plus small process helpers for the network tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRadiograph, type Radiograph } from '../../../src/imaging/index.js';
import type { PacsResult } from '../../../src/serve/dicom-out/index.js';
import { tool } from '../../imaging/dcmtk.js';

const bin = fileURLToPath(new URL('../../../../bin/spinesurv.js', import.meta.url));

export interface SourceFixture {
  path: string;
  bytes: Uint8Array;
  radiograph: Radiograph;
  /** The synthetic truth keypoints in COCO pixels (centre of the top-left pixel at 0.5, 0.5). */
  keypoints: number[];
}

/** Latin-1 bytes of the patient name, to prove the copy keeps the source's bytes and character set. */
// 14 bytes: a value read from a file must have even length (the trailing space is DICOM's padding).
export const PATIENT_NAME_LATIN1 = Buffer.from('Müller^Jürgen ', 'latin1');

export async function makeSource(dir: string): Promise<SourceFixture> {
  const cohort = join(dir, 'cohort');
  const r = spawnSync(process.execPath, [bin, 'synth', '--out', cohort, '--patients', '1', '--size', '256'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  const path = join(dir, 'source.dcm');
  copyFileSync(join(cohort, 'images', 'SYN0001.dcm'), path);
  const nameFile = join(dir, 'name.txt');
  writeFileSync(nameFile, PATIENT_NAME_LATIN1);
  tool('dcmodify', [
    '-nb',
    '-i', '(0008,0005)=ISO_IR 100',
    '-mf', `(0010,0010)=${nameFile}`,
    '-i', '(0010,0030)=19610412',
    '-i', '(0010,0040)=F',
    '-i', '(0008,0050)=ACC0042',
    '-i', '(0008,0020)=20260115',
    '-i', '(0008,0030)=093012',
    '-i', '(0020,0010)=ST42',
    '-i', '(0008,0090)=Referrer^Rita',
    path,
  ]);
  const coco = JSON.parse(readFileSync(join(cohort, 'keypoints.json'), 'utf8')) as { annotations: { keypoints: number[] }[] };
  const kp = coco.annotations[0].keypoints;
  // keypoints.json puts the top-left pixel's centre at (0, 0); the scorer's convention is COCO's 0.5.
  const keypoints = [0, 1, 2, 3, 4].flatMap((k) => [kp[3 * k] + 0.5, kp[3 * k + 1] + 0.5]);
  return { path, bytes: readFileSync(path), radiograph: await readRadiograph(path), keypoints };
}

export function resultFor(keypoints: number[], overrides: Partial<PacsResult> = {}): PacsResult {
  return {
    risk: 0.423187,
    surv: { '1': 0.9912, '3': 0.9341, '5': 0.8723 },
    percentile: 91.62,
    keypoints,
    flags: [],
    warnings: [],
    modelVersion: '0123456789abcdef',
    scoredAt: '2026-11-30T10:15:42.000Z',
    ...overrides,
  };
}

/** A Gaussian bump of heat (peak 1) at (x, y) in COCO pixels, on the radiograph's grid. */
export function heatmapAround(r: Radiograph, x: number, y: number, sigma = 15): Float32Array {
  const heat = new Float32Array(r.rows * r.columns);
  for (let i = 0; i < r.rows; i++) {
    for (let j = 0; j < r.columns; j++) heat[i * r.columns + j] = Math.exp(-((j + 0.5 - x) ** 2 + (i + 0.5 - y) ** 2) / (2 * sigma * sigma));
  }
  return heat;
}

export { freePort } from '../helpers.js';

/** Resolves once something accepts connections on the port (a started SCP), or rejects after ~10 s. */
export async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** Starts a dcmtk SCP and waits until it listens; the caller stops it with stopProcess. */
export async function startScp(command: string, args: string[], port: number, cwd: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(port, child);
  return child;
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
