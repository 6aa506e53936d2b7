/**
 * `spinesurv serve` in-process: the store folder and database, the scoring thread and loop, the DICOM
 * node, the HTTP app and, with --forward, the results to the PACS. startServe returns once all of it
 * listens (ports 0 = free ports, reported back), and close() stops it in the reverse order.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseImageModelJson, keypointModelPath } from '../models/image/index.js';
import { readModelJson } from '../models/model-json.js';
import { modelVersion } from '../queue/model-version.js';
import { isPostgresUrl } from '../queue/postgres-store.js';
import { InputError, UsageError } from '../util/errors.js';
import { OUTPUT_MARKER, readOutputMarker } from '../util/output-folder.js';
import type { ViewerBackend } from './backend.js';
import { ClinicalTable } from './clinical-values.js';
import { startDicomNode } from './dicom-node.js';
import { makeForwarder, parseForward, type Forwarder } from './forward-results.js';
import { buildHttpApp } from './http-app.js';
import { receiveInstance, type ReceiveContext } from './receive-instance.js';
import { recoverStore } from './recover.js';
import { rematchWaiting } from './rematch-waiting.js';
import { ScorerClient } from './scorer-client.js';
import { ScoringLoop } from './scoring-loop.js';
import { makeBackend } from './serve-backend.js';
import { ServeDb } from './serve-db.js';
import { openPostgres, openSqlite } from './sql-driver.js';
import { uidTag } from './uid.js';

export const STORE_CREATED_BY = 'spinesurv serve';

export interface ServeOptions {
  modelDir: string;
  storeDir: string;
  dicomPort?: number;
  httpPort?: number;
  aeTitle?: string;
  host?: string;
  /** postgres://... ; the SQLite file STORE/serve.sqlite when absent. */
  db?: string;
  /** AET@HOST:PORT */
  forward?: string;
  /** First wait before a failed forward is tried again (doubling up to 10 min); 30 s by default. */
  forwardRetrySeconds?: number;
  allowedCallers?: string[];
  clinicalCsv?: string;
  token?: string | null;
  showPhi?: boolean;
  maxUploadMb?: number;
  /** Largest DICOM dataset accepted, in MB (256 by default). */
  maxDicomMb?: number;
  /** libtorch threads of the scoring thread (default 1). */
  engineThreads?: number;
  /** Where log lines go (stderr by default). */
  log?: (line: string) => void;
}

export interface RunningServe {
  dicomPort: number;
  httpUrl: string;
  backend: ViewerBackend;
  db: ServeDb;
  modelVersion: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** AE titles: 1-16 characters of the default repertoire, no backslash (PS3.5 AE). */
export function checkAeTitle(ae: string, what: string): string {
  const t = ae.trim();
  if (t === '' || t.length > 16 || /[\\\x00-\x1f\x7f-\uffff]/.test(t)) throw new UsageError(`${what} "${ae}": an AE title is 1-16 printable ASCII characters without a backslash`);
  return t;
}

/** --store: created, or reopened when it is a serve store; anything else non-empty is refused. */
export function prepareStore(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      const marker = readOutputMarker(dir);
      if (marker === null || marker.created_by !== STORE_CREATED_BY) {
        throw new InputError(`${dir}: is not empty and is not a spinesurv serve store; choose a new or empty folder for --store`);
      }
    }
  }
  for (const sub of ['', 'images', 'heatmaps']) mkdirSync(join(dir, sub), { recursive: true });
  if (!existsSync(join(dir, OUTPUT_MARKER))) {
    writeFileSync(join(dir, OUTPUT_MARKER), JSON.stringify({ created_by: STORE_CREATED_BY, files: ['serve.sqlite', 'images/', 'heatmaps/'] }, null, 2) + '\n');
  }
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? null;
  if (!LOOPBACK.has(host) && token === null) {
    throw new UsageError(`--host ${host}: the server would be reachable from other machines; give an access token (--token or SPINESURV_TOKEN), or bind 127.0.0.1`);
  }
  if (token !== null && token.length < 16) throw new UsageError('--token: use at least 16 characters');
  const aeTitle = checkAeTitle(options.aeTitle ?? 'SPINESURV', '--ae-title');
  const allowed = options.allowedCallers === undefined ? null : new Set(options.allowedCallers.map((a) => checkAeTitle(a, '--allowed-callers')));
  const destination = options.forward === undefined ? null : parseForward(options.forward, aeTitle);
  if (options.db !== undefined && !isPostgresUrl(options.db)) throw new UsageError(`--db ${options.db}: expected a postgres:// URL (the SQLite database is STORE/serve.sqlite by default)`);
  if (options.forwardRetrySeconds !== undefined && !(options.forwardRetrySeconds >= 1 && options.forwardRetrySeconds <= 3600)) {
    throw new UsageError('--forward-retry-seconds: between 1 and 3600');
  }
  const maxUploadMb = options.maxUploadMb ?? 1;
  if (!(maxUploadMb > 0 && maxUploadMb <= 1024)) throw new UsageError('--max-upload-mb: a number of megabytes in (0, 1024]');
  const maxDicomMb = options.maxDicomMb ?? 256;
  if (!(maxDicomMb > 0 && maxDicomMb <= 4096)) throw new UsageError('--max-dicom-mb: a number of megabytes in (0, 4096]');

  // The model: an image model with its keypoint detector (clinical covariates allowed: they come from the header, CSV or web page).
  const json = parseImageModelJson(options.modelDir, readModelJson(options.modelDir).json);
  if (keypointModelPath(options.modelDir, json) === null) {
    throw new InputError(`${join(options.modelDir, 'model.json')}: the model has no keypoint detector (fitted without --landmarks); serve finds the keypoints itself, so it needs one`);
  }
  const covariates = [...json.covariates];
  const version = modelVersion(options.modelDir);
  const clinical = options.clinicalCsv === undefined ? ClinicalTable.empty() : ClinicalTable.read(options.clinicalCsv);

  prepareStore(options.storeDir);
  const imagesDir = resolve(options.storeDir, 'images');
  const db = new ServeDb(options.db !== undefined ? await openPostgres(options.db) : openSqlite(join(options.storeDir, 'serve.sqlite')));
  const closers: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    await db.init();
    const scorer = new ScorerClient({ modelDir: options.modelDir, engineThreads: options.engineThreads ?? 1 });
    closers.push(() => scorer.close());
    await scorer.whenReady();

    let forwardWake = (): void => undefined;
    const forwarding = destination !== null;
    const loop = new ScoringLoop({
      db, scorer, imagesDir, covariates, modelVersion: version, log,
      scored: (uid, status) => {
        if (forwarding && status === 'scored') void db.forwardAgain(uid).then(() => forwardWake(), () => undefined);
      },
    });
    const context: ReceiveContext = {
      db, imagesDir, clinical, clinicalColumns: [...new Set(['age', 'sex', ...covariates])], forward: forwarding, log, received: () => loop.wake(),
    };
    await recoverStore(context);
    await rematchWaiting(context);
    const retried = await db.retryFailedScoring();
    if (retried > 0) log(`score: trying again ${retried} image(s) whose scoring failed for a reason other than the image`);
    loop.start();
    closers.push(() => loop.stop());

    const backend = makeBackend({ db, loop, scorer, imagesDir, heatmapsDir: resolve(options.storeDir, 'heatmaps'), covariates, showPhi: options.showPhi ?? false });
    if (destination !== null) {
      const forwarder: Forwarder = makeForwarder(destination, imagesDir, backend);
      const stopForwarding = startForwarding(db, forwarder, log, options.forwardRetrySeconds ?? 30, (wake) => (forwardWake = wake));
      closers.push(stopForwarding);
    }
    const dicom = await startDicomNode({ aeTitle, maxDatasetBytes: Math.round(maxDicomMb * 1048576), allowedCallers: allowed, host, port: options.dicomPort ?? 11112, log, store: (meta, dataset) => receiveInstance(context, meta, dataset) });
    closers.push(() => dicom.close());
    const app = await buildHttpApp({ backend, token, bodyLimitBytes: Math.round(maxUploadMb * 1024 * 1024), modelName: json.name, log });
    closers.push(() => app.close());
    await app.listen({ port: options.httpPort ?? 8080, host });
    const address = app.server.address();
    const httpPort = typeof address === 'object' && address !== null ? address.port : options.httpPort ?? 8080;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return {
      dicomPort: dicom.port,
      httpUrl: `http://${urlHost}:${httpPort}`,
      backend,
      db,
      modelVersion: version,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Sends scored results to the PACS in the background; a failure waits (retrySeconds, doubling, at most 10 min) and is tried again. */
function startForwarding(db: ServeDb, forwarder: Forwarder, log: (line: string) => void, retrySeconds: number, onWake: (wake: () => void) => void): () => Promise<void> {
  let stopped = false;
  let wake: () => void = () => undefined;
  onWake(() => wake());
  const run = async (): Promise<void> => {
    while (!stopped) {
      let due: Awaited<ReturnType<ServeDb['forwardsDue']>> = [];
      try {
        due = await db.forwardsDue(new Date().toISOString(), 8);
      } catch (error) {
        log(`forward: cannot read the database (${(error as Error).message})`);
      }
      for (const row of due) {
        if (stopped) break;
        const tag = uidTag(row.sop_instance_uid);
        try {
          await forwarder.send(row);
          await db.markForwarded(row.sop_instance_uid, row.scored_at!);
          log(`forward: results of instance ${tag} sent`);
        } catch (error) {
          const wait = Math.min(600_000, retrySeconds * 1000 * 2 ** Math.min(row.forward_attempts, 5));
          await db.markForwardFailed(row.sop_instance_uid, (error as Error).message, new Date(Date.now() + wait).toISOString()).catch(() => undefined);
          log(`forward: results of instance ${tag} not sent (${(error as Error).message}); trying again in ${Math.round(wait / 1000)} s`);
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(5000, retrySeconds * 1000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const running = run();
  return async () => {
    stopped = true;
    wake();
    await running;
  };
}
