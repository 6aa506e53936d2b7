/**
 * `spinesurv serve` in-process: the store folder and database, the scoring threads and loop, the DICOM
 * node, the HTTP app and, with --forward, the results to the PACS. startServe returns once all of it
 * listens (ports 0 = free ports, reported back), and close() stops it in the reverse order.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseImageModelJson, keypointModelPath } from '../models/image/index.js';
import { readModelJson } from '../models/model-json.js';
import { modelVersion } from '../models/model-version.js';
import { availableCores } from '../torch/compute-mode.js';
import { isPostgresUrl } from '../util/database-url.js';
import { InputError, UsageError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { OUTPUT_MARKER, readOutputMarker } from '../util/output-folder.js';
import type { ViewerBackend } from './backend.js';
import { ClinicalTable } from './clinical-values.js';
import { startDicomNode } from './dicom-node.js';
import { dicomDeadlines } from './association-deadlines.js';
import { escapingLog } from './log-line.js';
import { DecodeClient } from './decode-client.js';
import { makeForwarder, parseForward, startForwarding } from './pacs-forwarder.js';
import { buildHttpApp } from './http-app.js';
import { checkBindAccess, LOOPBACK } from './http-access.js';
import { receiveInstance, type ReceiveContext } from './receive-instance.js';
import { recoverStore } from './recover.js';
import { rematchWaiting } from './rematch-waiting.js';
import { ScorerClient } from './scorer-client.js';
import { ScoringLoop } from './scoring-loop.js';
import { makeBackend } from './serve-backend.js';
import { ServeDb } from './serve-db.js';
import { openPostgres, openSqlite } from '../util/sql-driver.js';

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
  /** Accept C-STORE from any calling AE title on an address other than loopback (otherwise --allowed-callers is required there). */
  anyCaller?: boolean;
  /** Most DICOM associations open at once (16 by default); more are closed on connect, logged. */
  maxAssociations?: number;
  /** Most DICOM associations open at once from one remote address (8 by default, at most maxAssociations), so one address cannot take every slot. */
  maxAssociationsPerAddress?: number;
  /** A connection must complete its association request within this (10 s by default); otherwise it is closed. */
  dicomAssociateSeconds?: number;
  /** An association that sends nothing for this long while no C-STORE of its is being stored is aborted (30 s by default). */
  dicomIdleSeconds?: number;
  /** An association is aborted this long after its connection opened, whatever it does (600 s by default). */
  dicomAssociationSeconds?: number;
  /** Most C-STORE dataset bytes held in memory over all associations, in MB (1024 by default, at least --max-dicom-mb). */
  maxDicomInFlightMb?: number;
  /** How long a PUT waits for its re-score before answering 503 (the change is kept and scored later); 120 s by default. */
  changeWaitSeconds?: number;
  /** A request must arrive whole within this (Node's requestTimeout; 408 after it); 30 s by default. */
  requestTimeoutSeconds?: number;
  clinicalCsv?: string;
  token?: string | null;
  showPhi?: boolean;
  maxUploadMb?: number;
  /** Largest DICOM dataset accepted, in MB (256 by default). */
  maxDicomMb?: number;
  /**
   * Radiographs scored at once, one thread each (default: the cores this process may use). Each thread
   * runs libtorch as the compute mode says (one intra-op thread in the reproducible mode), so the count
   * changes how fast, never what.
   */
  scoringThreads?: number;
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


/** AE titles: 1-16 characters of the default repertoire, no backslash (PS3.5 AE). */
export function checkAeTitle(ae: string, what: string): string {
  const t = ae.trim();
  if (t === '' || t.length > 16 || /[\\\x00-\x1f\x7f-\uffff]/.test(t)) throw new UsageError(`${what} "${ae}": an AE title is 1-16 printable ASCII characters without a backslash`);
  return t;
}

/**
 * --store: created, or reopened when it is a serve store; anything else non-empty is refused. It holds
 * patient data, so its folders are made (and kept) readable by the server's user only (0700).
 */
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
  for (const sub of ['', 'images', 'heatmaps']) {
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    // mkdir's mode is cut by the umask and leaves an existing folder as it was: set it.
    chmodSync(join(dir, sub), 0o700);
  }
  // Heatmaps written by an earlier version were 0644: made 0600 like every other file of the store.
  for (const f of readdirSync(join(dir, 'heatmaps'))) if (f.endsWith('.png')) chmodSync(join(dir, 'heatmaps', f), 0o600);
  if (!existsSync(join(dir, OUTPUT_MARKER))) {
    writeJsonAtomic(join(dir, OUTPUT_MARKER), { created_by: STORE_CREATED_BY, files: ['serve.sqlite', 'images/', 'heatmaps/'] });
    syncFolder(dir);
  }
}

/** Flushes a folder's entries (a rename in it) to disk. */
function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The SQLite file (and its -wal and -shm, which SQLite creates with the database file's mode) are
 * readable by the server's user only: created empty with 0600 before SQLite opens it, set on reopen.
 */
function privateSqliteFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  // Everything logged is escaped once here (AE titles, header values, request data come from outside).
  const log = escapingLog(options.log ?? ((line: string) => process.stderr.write(line + '\n')));
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? null;
  checkBindAccess(host, token);
  const aeTitle = checkAeTitle(options.aeTitle ?? 'SPINESURV', '--ae-title');
  const allowed = options.allowedCallers === undefined ? null : new Set(options.allowedCallers.map((a) => checkAeTitle(a, '--allowed-callers')));
  if (allowed !== null && options.anyCaller === true) throw new UsageError('--allowed-callers and --any-caller: give one of them');
  // DICOM has no token: off loopback, the calling AE title list is the only gate, so it must be chosen.
  if (!LOOPBACK.has(host) && allowed === null && options.anyCaller !== true) {
    throw new UsageError(`--host ${host}: anyone who reaches this address could send images; give --allowed-callers AE1,AE2 (or --any-caller to accept every calling AE title)`);
  }
  const maxAssociations = options.maxAssociations ?? 16;
  if (!(Number.isInteger(maxAssociations) && maxAssociations >= 1 && maxAssociations <= 1024)) throw new UsageError('--max-associations: a whole number 1-1024');
  // Capped at --max-associations: a smaller --max-associations alone must not be a usage error.
  const perAddress = Math.min(options.maxAssociationsPerAddress ?? 8, maxAssociations);
  if (!(Number.isInteger(perAddress) && perAddress >= 1)) throw new UsageError('--max-associations-per-address: a whole number >= 1');
  const deadlines = dicomDeadlines(options);
  const destination = options.forward === undefined ? null : parseForward(options.forward, aeTitle);
  if (options.db !== undefined && !isPostgresUrl(options.db)) throw new UsageError(`--db ${options.db}: expected a postgres:// URL (the SQLite database is STORE/serve.sqlite by default)`);
  if (options.forwardRetrySeconds !== undefined && !(options.forwardRetrySeconds >= 1 && options.forwardRetrySeconds <= 3600)) {
    throw new UsageError('--forward-retry-seconds: between 1 and 3600');
  }
  const maxUploadMb = options.maxUploadMb ?? 1;
  if (!(maxUploadMb > 0 && maxUploadMb <= 1024)) throw new UsageError('--max-upload-mb: a number of megabytes in (0, 1024]');
  const maxDicomMb = options.maxDicomMb ?? 256;
  if (!(maxDicomMb > 0 && maxDicomMb <= 4096)) throw new UsageError('--max-dicom-mb: a number of megabytes in (0, 4096]');
  const maxInFlightMb = options.maxDicomInFlightMb ?? Math.max(1024, maxDicomMb);
  if (!(maxInFlightMb >= maxDicomMb && maxInFlightMb <= 65536)) throw new UsageError('--max-dicom-in-flight-mb: a number of megabytes, at least --max-dicom-mb and at most 65536');
  const changeWaitMs = (options.changeWaitSeconds ?? 120) * 1000;
  const requestTimeoutMs = (options.requestTimeoutSeconds ?? 30) * 1000;
  if (!(changeWaitMs > 0) || !(requestTimeoutMs > 0)) throw new UsageError('change wait and request timeout: a number of seconds > 0');
  const scoringThreads = options.scoringThreads ?? availableCores();
  // Each thread holds the model and its detector in memory: a count past any machine's cores is a typo.
  if (!(Number.isInteger(scoringThreads) && scoringThreads >= 1 && scoringThreads <= 256)) throw new UsageError('--scoring-threads: a whole number 1-256');

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
  const sqlitePath = join(options.storeDir, 'serve.sqlite');
  if (options.db === undefined) privateSqliteFile(sqlitePath);
  const db = new ServeDb(options.db !== undefined ? await openPostgres(options.db) : openSqlite(sqlitePath));
  const closers: Array<() => Promise<void>> = [() => db.close()];
  let closing: Promise<void> | null = null;
  // Last started, first stopped; a second close() waits on the first instead of running the closers again.
  const closeAll = (): Promise<void> =>
    (closing ??= (async () => {
      for (const c of [...closers].reverse()) await c().catch(() => undefined);
    })());
  try {
    await db.init();
    const scorer = await ScorerClient.start(options.modelDir, scoringThreads);
    closers.push(() => scorer.close());
    log(`score: ${scorer.threads} scoring thread(s)`);

    let forwardWake = (): void => undefined;
    const forwarding = destination !== null;
    const loop = new ScoringLoop({
      db, scorer, imagesDir, covariates, modelVersion: version, log,
      scored: (uid, status) => {
        if (forwarding && status === 'scored') void db.forwardAgain(uid).then(() => forwardWake(), () => undefined);
      },
    });
    const decoder = new DecodeClient();
    closers.push(() => decoder.close());
    const context: ReceiveContext = {
      db, imagesDir, clinical, clinicalColumns: [...new Set(['age', 'sex', ...covariates])], forward: forwarding, log, received: () => loop.wake(),
      maxDatasetBytes: Math.round(maxDicomMb * 1048576), decoder,
    };
    await recoverStore(context);
    await rematchWaiting(context);
    const retried = await db.retryFailedScoring();
    if (retried > 0) log(`score: trying again ${retried} image(s) whose scoring failed for a reason other than the image`);
    loop.start();
    closers.push(() => loop.stop());

    const backend = makeBackend({
      db, loop, scorer, imagesDir, heatmapsDir: resolve(options.storeDir, 'heatmaps'), covariates, showPhi: options.showPhi ?? false, changeWaitMs, decoder,
    });
    if (destination !== null) {
      const stopForwarding = startForwarding(db, makeForwarder(destination, imagesDir, backend), log, options.forwardRetrySeconds ?? 30, (wake) => (forwardWake = wake));
      closers.push(stopForwarding);
    }
    const dicom = await startDicomNode({
      aeTitle, maxDatasetBytes: Math.round(maxDicomMb * 1048576), maxInFlightBytes: Math.round(maxInFlightMb * 1048576), maxAssociations,
      maxAssociationsPerAddress: perAddress, deadlines,
      allowedCallers: allowed, host, port: options.dicomPort ?? 11112, log, store: (meta, dataset) => receiveInstance(context, meta, dataset),
    });
    closers.push(() => dicom.close());
    const app = await buildHttpApp({ backend, token, bodyLimitBytes: Math.round(maxUploadMb * 1024 * 1024), modelName: json.name, log, requestTimeoutMs });
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
