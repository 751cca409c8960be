/** The replay options both the local and the distributed `cfreplay replay` take from the command line. */
import type { EventType } from '../event/types.js';
import type { Runtime } from '../runtime/types.js';

export interface CommonReplayArgs {
  old: string;
  new: string;
  corpus: string;
  'event-type'?: EventType;
  runtime?: Runtime;
  kvs?: string;
  ignore: string[];
  'timeout-ms': number;
  noise: boolean;
  seed: number;
}

export interface CommonReplayOptions {
  oldPath: string;
  newPath: string;
  corpus: string;
  eventType?: EventType;
  runtime?: Runtime;
  kvsPath?: string;
  ignore: string[];
  timeoutMs: number;
  noise: boolean;
  seed: number;
  maxDiffRate?: number;
  maxLatencyRatio?: number;
}

export function commonReplayOptions(args: CommonReplayArgs, limits: { maxDiffRate?: number; maxLatencyRatio?: number }): CommonReplayOptions {
  return {
    oldPath: args.old,
    newPath: args.new,
    corpus: args.corpus,
    ...(args['event-type'] ? { eventType: args['event-type'] } : {}),
    ...(args.runtime ? { runtime: args.runtime } : {}),
    ...(args.kvs ? { kvsPath: args.kvs } : {}),
    ignore: args.ignore,
    timeoutMs: args['timeout-ms'],
    noise: args.noise,
    seed: args.seed,
    ...(limits.maxDiffRate !== undefined ? { maxDiffRate: limits.maxDiffRate } : {}),
    ...(limits.maxLatencyRatio !== undefined ? { maxLatencyRatio: limits.maxLatencyRatio } : {}),
  };
}
