import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from './worker-scripts.js';

let cached: string | undefined;

/** cfreplay's own version, from the package's package.json. */
export function toolVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
