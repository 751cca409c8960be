// Where the real captures are: the folder given to `npm run test:captures -- <dir>`
// (passed on as CFREPLAY_CAPTURES). Missing or incomplete is a failure, never a skip.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SUBDIRS = ['har', 'gor', 'cloudfront-logs'] as const;

export function capturesDir(): string {
  const given = process.env.CFREPLAY_CAPTURES;
  if (given === undefined || given === '') {
    throw new Error('the captures suite needs the captures folder: npm run test:captures -- <dir> (or CFREPLAY_CAPTURES=<dir>)');
  }
  const dir = resolve(given);
  for (const sub of SUBDIRS) {
    const p = join(dir, sub);
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new Error(`captures folder ${dir}: no ${sub}/ folder in it (expected ${SUBDIRS.join('/, ')}/)`);
  }
  return dir;
}

/** A file of the captures folder, which must exist. */
export function capture(...parts: string[]): string {
  const p = join(capturesDir(), ...parts);
  if (!existsSync(p)) throw new Error(`captures folder: ${p} is missing`);
  return p;
}
