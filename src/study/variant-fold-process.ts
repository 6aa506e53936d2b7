/** A child process that runs one fold of the variant comparison (variant-fold.ts) and sends its scores back. */
import { serveProcessJob } from '../util/process-jobs.js';
import { fitAndScoreFold } from './variant-fold.js';

if (process.send !== undefined) serveProcessJob(fitAndScoreFold);
