/** The serve suite (suite.ts) on the default database: SQLite in the store folder. */
import { serveSuite, sqliteDatabase } from './suite.js';

serveSuite(async () => sqliteDatabase());
