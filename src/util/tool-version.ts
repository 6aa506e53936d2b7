/**
 * The spinesurv version (package.json), for --version and for the manifests and model folders that
 * record which tool wrote them. 'unknown' when package.json cannot be read.
 */
import { readFileSync } from 'node:fs';

export function toolVersion(): string {
  try {
    // dist/src/util/tool-version.js -> the repository root.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}
