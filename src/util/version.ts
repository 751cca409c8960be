import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** cfreplay's own version, from package.json (two levels above src/ or dist/). */
export function toolVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
