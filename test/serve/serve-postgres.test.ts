/** The serve suite (suite.ts) with `--db postgres://...`, on a throwaway local PostgreSQL (Debian's). */
import { startPostgres } from '../queue/helpers.js';
import { postgresDatabase, serveSuite } from './suite.js';

serveSuite(async () => {
  const server = startPostgres();
  return postgresDatabase(server.url, server.stop);
});
