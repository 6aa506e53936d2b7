/**
 * Database URLs as the options take them: telling a PostgreSQL one from anything else, and printing
 * one without its password. Both the queue's result store (--store) and serve's database (--db) read
 * them, so they live below both.
 */

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//.test(spec);
}
