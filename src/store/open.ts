/**
 * openCorpus on its own: a replay's main thread opens its corpus through this module alone,
 * so it loads the reader (header, index, framed chunks) without what decodes records
 * (columns, chunk: loaded by the reader when a record is asked for) or writes them.
 */
import { openCorpusFile } from './reader.js';
import type { Corpus } from './corpus.js';

/**
 * Open a corpus by path, or in Redis by URL and name
 * (`redis://[user:password@]host:port/db#name`, `rediss://` for TLS).
 */
export async function openCorpus(path: string): Promise<Corpus> {
  if (/^rediss?:\/\//i.test(path)) {
    const { openRedisCorpus } = await import('./redis/corpus.js');
    return openRedisCorpus(path);
  }
  return openCorpusFile(path);
}
