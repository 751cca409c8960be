/** Listing and deleting distributed runs (`cfreplay ls --runs`, `cfreplay rm --run`). */
import type { Redis } from 'ioredis';
import { connectRedis, describeRedisError, quit, type RedisTarget } from '../store/redis/connect.js';
import { GROUP, RUNS_KEY, runKeys, type RunSpec } from './protocol.js';

export interface RunListing {
  id: string;
  corpus: string;
  created: string;
  expires: string;
  chunks: number;
  /** Entries in the done stream (a reclaimed chunk may count twice). */
  results: number;
  /** Jobs delivered to a worker and not yet acknowledged. */
  inFlight: number;
}

export async function listRuns(target: RedisTarget, redis?: Redis): Promise<RunListing[]> {
  const conn = redis ?? (await connectRedis(target, { connectionName: 'cfreplay-ls-runs' }));
  try {
    const raw = await conn.zrange(RUNS_KEY, '0', '-1', 'WITHSCORES');
    const out: RunListing[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const id = raw[i]!;
      const keys = runKeys(id);
      const text = await conn.get(keys.spec);
      if (text === null) {
        await conn.zrem(RUNS_KEY, id);
        continue;
      }
      const spec = JSON.parse(text) as RunSpec;
      const results = await conn.xlen(keys.done);
      let inFlight = 0;
      try {
        const p = (await conn.call('XPENDING', keys.jobs, GROUP)) as unknown[];
        inFlight = Number(p[0] ?? 0);
      } catch {
        inFlight = 0;
      }
      out.push({ id, corpus: spec.corpus.display, created: spec.created, expires: new Date(Number(raw[i + 1])).toISOString(), chunks: spec.corpus.chunks, results, inFlight });
    }
    return out;
  } catch (e) {
    throw describeRedisError(target, e);
  } finally {
    if (redis === undefined) await quit(conn);
  }
}

/** Delete a run's keys (workers drop it at their next refresh). False when there was no such run. */
export async function deleteRun(target: RedisTarget, id: string, redis?: Redis): Promise<boolean> {
  const conn = redis ?? (await connectRedis(target, { connectionName: 'cfreplay-rm-run' }));
  try {
    const keys = runKeys(id);
    const res = await conn.multi().zrem(RUNS_KEY, id).unlink(...keys.all).exec();
    const removed = Number(res?.[0]?.[1] ?? 0) + Number(res?.[1]?.[1] ?? 0);
    return removed > 0;
  } catch (e) {
    throw describeRedisError(target, e);
  } finally {
    if (redis === undefined) await quit(conn);
  }
}
