#!/usr/bin/env node
// `npm run test:captures -- <dir>`: the tests of test/captures/ on the real captures in <dir>
// (har/, gor/, cloudfront-logs/). A missing folder fails (exit 2); nothing is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const [given, ...rest] = process.argv.slice(2);
const dir = given ?? process.env.CFREPLAY_CAPTURES;
if (dir === undefined || dir === '' || dir.startsWith('-')) {
  console.error('test:captures: give the captures folder: npm run test:captures -- <dir> (e.g. ../shared/corpus)');
  process.exit(2);
}
const abs = resolve(dir);
if (!existsSync(abs) || !statSync(abs).isDirectory()) {
  console.error(`test:captures: ${abs} is not a folder: the real captures are not there`);
  process.exit(2);
}
const root = new URL('../../', import.meta.url).pathname;
const vitest = `${root}node_modules/vitest/vitest.mjs`;
const r = spawnSync(process.execPath, [vitest, 'run', '--config', `${root}vitest.captures.config.ts`, ...rest], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, CFREPLAY_CAPTURES: abs },
});
process.exit(r.status ?? 1);
