/**
 * `record ... -o redis://host:port/db#name`: the recording goes straight to
 * a corpus in Redis. Same rules as a file output: an existing corpus is an
 * error unless --append (add to it; abort restores it) or --force (replace
 * it once the new one is complete); abort removes what this run wrote.
 */
import { InputError } from './errors.js';
import type { RecordSink } from './types.js';
import type { CorpusSinkOptions } from './corpus-sink.js';

/** Output checks before any input is read: URL, name, credentials, existence rules. */
export async function checkRedisOutput(url: string, options: CorpusSinkOptions): Promise<void> {
  const { parseRedisTarget, connectRedis, corpusKeys, quit, describeRedisError } = await import('../store/redis/index.js');
  const target = parseRedisTarget(url);
  if (target.name === undefined) throw new InputError(`${target.server}: name the corpus after #, e.g. -o ${target.server}#site`);
  if (options.append && options.force) throw new InputError('--append and --force cannot be used together');
  const redis = await connectRedis(target, { connectionName: 'cfreplay-record' });
  try {
    const exists = (await redis.exists(corpusKeys(target.name).meta)) === 1;
    if (options.append && !exists) throw new InputError(`${target.display}: --append needs an existing corpus, and there is none by that name`);
    if (!options.append && !options.force && exists) throw new InputError(`${target.display}: already exists in Redis (use --append to add to it, or --force to replace it)`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw describeRedisError(target, e);
  } finally {
    await quit(redis);
  }
}

export async function openRedisSink(url: string, options: CorpusSinkOptions & { chunkEvents?: number } = {}): Promise<RecordSink> {
  const { createRedisCorpusWriter } = await import('../store/redis/corpus.js');
  return createRedisCorpusWriter(url, {
    append: options.append ?? false,
    overwrite: options.force ?? false,
    ...(options.chunkEvents !== undefined ? { chunkEvents: options.chunkEvents } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
  });
}
