/**
 * `spinesurv serve --model DIR --store DIR [...]`: the DICOM node that scores every lateral lumbar
 * radiograph it receives, with its results over HTTP (/api/results) and the web viewer. Runs until
 * SIGINT/SIGTERM. Prints one line with the bound addresses on stderr, e.g.
 *   serve: dicom 127.0.0.1:11112 (AE SPINESURV) http http://127.0.0.1:8080
 */
import type { Command } from '../command.js';
import { parseCommand, type CommandSpec } from '../args.js';
import { UsageError } from '../../util/errors.js';
import { log } from '../../util/progress.js';
import { refuseOverwritingInput } from '../../util/output-folder.js';
import { startServe } from '../../serve/serve.js';

const spec: CommandSpec = {
  usage: 'spinesurv serve',
  description: [
    'Receive radiographs over DICOM (C-ECHO, C-STORE), score each in the background with an image model and its keypoint detector, and serve the results (GET /api/health, GET /api/results) and the web viewer over HTTP.',
    'Every received image is written to STORE/images (named by a hash of its SOP Instance UID) and recorded in the database before the C-STORE is answered; after a crash, a restart scores whatever was acknowledged and not yet scored.',
    'Images that cannot be a lateral lumbar radiograph (by the header: body part, view, modality, orientation; or by the pixels: blank, noise, inverted, turned 90°), or whose keypoints the detector flags, are kept but not scored (status flagged, with the reason).',
    'Clinical values a model needs: age and sex from the header (Patient\'s Age, or Birth Date and Study Date; Patient\'s Sex), the rest from --clinical CSV: one row per patient, matched on its "patient_id" column against the Patient ID (or on an "accession_number" column against the Accession Number), with one column per covariate (cohort.csv names: bmi, glucocorticoid, ...). An image still missing a value waits (status received) until it is given on the web page or by PUT /api/results/UID/clinical {"values": {...}, "by": "name"}.',
    'Access: binds 127.0.0.1 by default; another --host needs a token (--token or the SPINESURV_TOKEN environment variable), which every request must then carry as "Authorization: Bearer TOKEN" (the viewer\'s pages are opened as /?token=TOKEN and send it themselves), and DICOM needs --allowed-callers (or --any-caller). Without a token, HTTP answers only requests addressed to 127.0.0.1, localhost or [::1] with its port (Host header; against DNS rebinding). Prefer SPINESURV_TOKEN to --token: a command line is visible to every local user (ps).',
    'The store holds patient data: its folders are 0700 and its files 0600. Logs carry no patient names, IDs or UIDs (instances are named by a hash of their UID).',
  ].join('\n'),
  options: {
    model: { type: 'string', description: 'image model folder (imagesurv fit --landmarks: it carries its keypoint detector)', placeholder: 'DIR', required: true },
    store: { type: 'string', description: 'the server\'s folder (images, SQLite database); created, or an earlier serve store reopened', placeholder: 'DIR', required: true },
    'dicom-port': { type: 'string', description: 'DICOM port (0: any free port)', placeholder: 'PORT', default: '11112' },
    'http-port': { type: 'string', description: 'HTTP port (0: any free port)', placeholder: 'PORT', default: '8080' },
    'ae-title': { type: 'string', description: 'our AE title: associations calling another are refused', placeholder: 'AET', default: 'SPINESURV' },
    host: { type: 'string', description: 'address to bind (DICOM and HTTP); other than 127.0.0.1 needs a token', placeholder: 'ADDR', default: '127.0.0.1' },
    db: { type: 'string', description: 'keep the database in PostgreSQL instead of STORE/serve.sqlite', placeholder: 'postgres://...' },
    forward: { type: 'string', description: 'send a secondary capture and a structured report of each scored image to this DICOM node', placeholder: 'AET@HOST:PORT' },
    'forward-retry-seconds': { type: 'string', description: 'with --forward: first wait before a failed send is tried again (doubling, at most 10 min)', placeholder: 'S', default: '30' },
    'allowed-callers': { type: 'string', description: 'comma-separated calling AE titles allowed to send (default on 127.0.0.1: any; another --host needs this or --any-caller)', placeholder: 'AE1,AE2' },
    'any-caller': { type: 'boolean', description: 'with another --host: accept images from any calling AE title (DICOM has no token)' },
    'max-associations': { type: 'string', description: 'most DICOM associations open at once (more are closed on connect)', placeholder: 'N', default: '16' },
    'max-associations-per-address': { type: 'string', description: 'most DICOM associations open at once from one address (at most --max-associations; more from it are closed on connect)', placeholder: 'N', default: '8' },
    'dicom-associate-seconds': { type: 'string', description: 'a DICOM connection that has not completed its association request by then is closed', placeholder: 'S', default: '10' },
    'dicom-idle-seconds': { type: 'string', description: 'an association that sends nothing for this long (while none of its images is being stored) is aborted', placeholder: 'S', default: '30' },
    'dicom-association-seconds': { type: 'string', description: 'an association is aborted this long after it connected, whatever it does', placeholder: 'S', default: '600' },
    'max-dicom-in-flight-mb': { type: 'string', description: 'most C-STORE dataset megabytes held in memory over all associations (a C-STORE past it is refused, busy)', placeholder: 'N', default: '1024' },
    clinical: { type: 'string', description: 'clinical values by patient_id (or accession_number), see above', placeholder: 'CSV' },
    token: { type: 'string', description: 'access token for HTTP (at least 16 characters); default: $SPINESURV_TOKEN', placeholder: 'T' },
    'show-phi': { type: 'boolean', description: 'show patient names and IDs in the viewer (never in logs)' },
    'max-upload-mb': { type: 'string', description: 'largest HTTP request body (JSON only)', placeholder: 'N', default: '1' },
    'max-dicom-mb': { type: 'string', description: 'largest DICOM dataset a C-STORE may carry (a larger one is refused, not kept in memory)', placeholder: 'N', default: '256' },
    'scoring-threads': { type: 'string', description: 'radiographs scored at once, one thread each with the model loaded (default: the cores this process may use); in the reproducible mode (the default) the count never changes a score', placeholder: 'N' },
  },
};

export async function runServe(argv: string[]): Promise<number> {
  const a = parseCommand(argv, spec);
  if (a === null) return 0;
  const store = a.string('store');
  const clinical = a.optionalString('clinical');
  refuseOverwritingInput(store, [a.string('model'), clinical], 'store folder');
  const port = (name: string): number => {
    const p = a.integer(name, undefined, 0);
    if (p > 65535) throw new UsageError(`${spec.usage}: --${name} must be 0-65535`);
    return p;
  };
  const running = await startServe({
    modelDir: a.string('model'),
    storeDir: store,
    dicomPort: port('dicom-port'),
    httpPort: port('http-port'),
    aeTitle: a.string('ae-title'),
    host: a.string('host'),
    db: a.optionalString('db'),
    forward: a.optionalString('forward'),
    forwardRetrySeconds: a.number('forward-retry-seconds'),
    allowedCallers: a.optionalList('allowed-callers'),
    anyCaller: a.flag('any-caller'),
    maxAssociations: a.integer('max-associations', undefined, 1),
    maxAssociationsPerAddress: a.integer('max-associations-per-address', undefined, 1),
    dicomAssociateSeconds: a.number('dicom-associate-seconds'),
    dicomIdleSeconds: a.number('dicom-idle-seconds'),
    dicomAssociationSeconds: a.number('dicom-association-seconds'),
    maxDicomInFlightMb: a.number('max-dicom-in-flight-mb'),
    clinicalCsv: clinical,
    token: a.optionalString('token') ?? (process.env.SPINESURV_TOKEN || null),
    showPhi: a.flag('show-phi'),
    maxUploadMb: a.number('max-upload-mb'),
    maxDicomMb: a.number('max-dicom-mb'),
    scoringThreads: a.optionalString('scoring-threads') === undefined ? undefined : a.integer('scoring-threads', undefined, 1),
  });
  const host = a.string('host');
  log(`serve: dicom ${host.includes(':') ? `[${host}]` : host}:${running.dicomPort} (AE ${a.string('ae-title')}) http ${running.httpUrl} model ${running.modelVersion} db ${running.db.where}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('serve: stopping');
  await running.close();
  return 0;
}

export const command: Command = { run: (argv) => runServe(argv) };
