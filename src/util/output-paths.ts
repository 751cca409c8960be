/**
 * The one check every command runs on its output paths before any work
 * starts: an output never overwrites an input (the corpus, a function source,
 * a KVS file, the report being read; same path, symlink or hard link), is
 * never a directory, a device, a FIFO or a socket, and two outputs are never
 * the same file. Errors are UserErrors (one line, exit 2).
 */
import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './user-error.js';

export class OutputPathError extends UserError {
  override name = 'OutputPathError';
}

/** A path with what it is, for messages: `{ what: '--json', path: 'out/r.json' }`, `{ what: 'the corpus', path }`. */
export interface NamedPath {
  what: string;
  path: string;
}

export interface OutputCheckOptions {
  /** Missing parent directories will be created (report outputs); otherwise the directory must exist. */
  createParents?: boolean;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** "-" (stdout) and Redis URLs are not files: not checked. */
function isFilePath(path: string): boolean {
  return path !== '-' && path !== '' && !/^rediss?:\/\//i.test(path);
}

function sameFile(a: { path: string; st: Stats | undefined }, b: { path: string; st: Stats | undefined }): boolean {
  if (a.st !== undefined && b.st !== undefined) return a.st.dev === b.st.dev && a.st.ino === b.st.ino;
  return resolve(a.path) === resolve(b.path);
}

/** Throws OutputPathError naming the output and the problem. */
export function checkOutputPaths(outputs: readonly NamedPath[], inputs: readonly NamedPath[], options: OutputCheckOptions = {}): void {
  const ins = inputs.filter((i) => isFilePath(i.path)).map((i) => ({ ...i, st: statOf(i.path) }));
  const seen: { what: string; path: string; st: Stats | undefined }[] = [];
  for (const o of outputs) {
    if (!isFilePath(o.path)) continue;
    const st = statOf(o.path);
    const out = { ...o, st };
    if (st !== undefined && !st.isFile()) {
      throw new OutputPathError(`${o.what} ${o.path}: is ${kindOf(st)}; an output must be a regular file (or a new file name)`);
    }
    for (const i of ins) {
      if (sameFile(out, i)) throw new OutputPathError(`${o.what} ${o.path}: is ${i.what} (${i.path}); an output never overwrites an input, choose another file name`);
    }
    for (const s of seen) {
      if (sameFile(out, s)) throw new OutputPathError(`${o.what} ${o.path}: is also the file of ${s.what}; give each output its own file`);
    }
    if (st === undefined) checkParent(o, options);
    seen.push(out);
  }
}

/** The nearest existing ancestor of a new output must be a directory (and be its parent unless parents are created). */
function checkParent(o: NamedPath, options: OutputCheckOptions): void {
  let dir = dirname(resolve(o.path));
  for (;;) {
    const st = statOf(dir);
    if (st !== undefined) {
      if (!st.isDirectory()) throw new OutputPathError(`${o.what} ${o.path}: ${dir} is not a directory`);
      return;
    }
    if (options.createParents !== true) throw new OutputPathError(`${o.what} ${o.path}: directory ${dirname(o.path)} does not exist`);
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}
