/**
 * Redis key layout (all keys start with `cfreplay:`; `{name}` is a Redis
 * Cluster hash tag, so one corpus lives in one slot and a chunk write is one
 * MULTI):
 *
 * Corpora
 *   cfreplay:corpora                        zset   corpus name -> creation time (ms); what `cfreplay ls` lists
 *   cfreplay:corpus:{NAME}:meta             hash   gen, created (ISO), tool, format, layout, codec,
 *                                                  events, chunks, bytes, complete ("1" once closed)
 *   cfreplay:corpus:{NAME}:GEN:index        list   one 44-byte chunk header per chunk, in order (the chunk's
 *                                                  own header with its CRC: length, events, time range, payload CRC)
 *   cfreplay:corpus:{NAME}:GEN:c:I          string framed chunk I (header + compressed payload), binary,
 *                                                  bit for bit what a .cfr file holds
 *   GEN is a random id: `record --force` / `push --force` write a new
 *   generation next to the old one and switch `meta.gen` when complete, so
 *   readers never see a half-replaced corpus.
 *
 * Distributed runs (see src/distributed/keys.ts)
 *   cfreplay:runs                           zset   run id -> expiry time (ms): the runs workers serve
 *   cfreplay:fn:SHA256                      string function source, content-addressed (expires with the runs)
 *   cfreplay:run:{ID}:spec                  string JSON: corpus keys, chunk list, function hashes, options
 *   cfreplay:run:{ID}:jobs                  stream one entry per chunk (chunk, first); consumer group "workers"
 *   cfreplay:run:{ID}:done                  stream per-chunk results: msgpack ChunkResult, chunk errors, stops
 *   cfreplay:run:{ID}:workers               hash   consumer -> JSON {host, pid, threads, seen}
 *   cfreplay:run:{ID}:stats                 hash   reclaimed (count of chunks taken over from a silent worker)
 */
export const PREFIX = 'cfreplay:';
export const CORPORA_KEY = `${PREFIX}corpora`;

export interface CorpusKeys {
  meta: string;
  index(gen: string): string;
  chunk(gen: string, index: number): string;
  /** Prefix of every key of one generation (for deletion by pattern-free iteration). */
  genPrefix(gen: string): string;
}

export function corpusKeys(name: string): CorpusKeys {
  const base = `${PREFIX}corpus:{${name}}`;
  return {
    meta: `${base}:meta`,
    index: (gen) => `${base}:${gen}:index`,
    chunk: (gen, i) => `${base}:${gen}:c:${i}`,
    genPrefix: (gen) => `${base}:${gen}:`,
  };
}
