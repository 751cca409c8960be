import { join } from 'node:path';
import { createCorpusWriter } from '../../src/store/index.js';
import { parseRedisTarget, pushCorpus } from '../../src/store/redis/index.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { syntheticRecords } from './synthetic.js';

/** Write synthetic traffic (or the given records) as a corpus file; returns its path. */
export async function writeSyntheticCorpus(dir: string, count: number, chunkEvents = 500, records?: RecordedExchange[]): Promise<string> {
  if (dir === '') throw new Error('writeSyntheticCorpus: no directory (useTempDir() must be called at describe level, not inside a test)');
  const path = join(dir, `synthetic-${count}.cfr`);
  const w = await createCorpusWriter(path, { chunkEvents });
  for (const r of records ?? syntheticRecords(count)) await w.write(r);
  await w.close();
  return path;
}

/** Synthetic traffic (`count` records from `seed`) as a corpus file in `dir`, pushed to the Redis corpus `url`; returns the file's path. */
export async function pushSyntheticCorpus(dir: string, url: string, count: number, chunkEvents: number, seed: number): Promise<string> {
  const file = await writeSyntheticCorpus(dir, count, chunkEvents, syntheticRecords(count, seed));
  await pushCorpus(file, parseRedisTarget(url));
  return file;
}
