/**
 * The corpus file as a RecordSink, with the output-path rules of the record
 * commands: refuse to clobber an existing file unless --force (then the old
 * file is replaced only when the new one is complete), --append adds to an
 * existing corpus, a missing directory is a one-line error.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';
import { checkOutputPaths } from '../util/output-paths.js';
import type { RecordSink, SinkCloseResult } from './types.js';
import { createCorpusWriter } from '../store/index.js';

export interface CorpusSinkOptions {
  append?: boolean;
  /** Replace an existing file (atomically, at close). */
  force?: boolean;
  /** Write the pending partial chunk at least this often (live capture). */
  flushIntervalMs?: number;
}

async function exists(path: string): Promise<'file' | 'dir' | false> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'dir' : 'file';
  } catch {
    return false;
  }
}

/** Output path checks that need no store: run before any input is read. */
export async function checkOutputPath(path: string, options: CorpusSinkOptions, inputs: readonly string[] = []): Promise<void> {
  checkOutputPaths([{ what: '-o', path }], inputs.map((input) => ({ what: 'an input', path: input })));
  const state = await exists(resolve(path));
  if (options.append && options.force) throw new InputError('--append and --force cannot be used together');
  if (options.append && state === false) throw new InputError(`${path}: --append needs an existing corpus, and there is no such file`);
  if (!options.append && !options.force && state === 'file') {
    throw new InputError(`${path}: already exists (use --append to add to it, or --force to replace it)`);
  }
}

/**
 * Open the corpus writer behind a RecordSink. With --force over an existing
 * file the records go to a temporary file in the same directory, renamed
 * over the target at close: a failed run leaves the old corpus untouched.
 */
export async function openCorpusSink(path: string, options: CorpusSinkOptions = {}): Promise<RecordSink> {
  const replacing = !options.append && (await exists(path)) === 'file';
  const target = replacing ? join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`) : path;
  const writer = await createCorpusWriter(target, {
    append: options.append ?? false,
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
  });
  if (!replacing) return writer;
  const replaced: RecordSink = {
    write: (record) => writer.write(record),
    appendFramed: (framed) => writer.appendFramed(framed),
    stored: () => writer.stored(),
    async close(): Promise<SinkCloseResult> {
      let result;
      try {
        result = await writer.close();
        await rename(target, path);
      } catch (e) {
        await rm(target, { force: true });
        throw e;
      }
      return result;
    },
    async abort() {
      try {
        await writer.abort();
      } finally {
        await rm(target, { force: true });
      }
    },
  };
  return replaced;
}
