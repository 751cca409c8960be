/** The replay options both the local and the distributed `cfreplay replay` take from the command line. */
import type { EventType } from '../event/types.js';
import type { Runtime } from '../runtime/types.js';
import type { ReplayOptions } from '../replay/replay.js';
import type { Engine } from '../runtime/engines.js';

export interface CommonReplayArgs {
  old: string;
  new: string;
  corpus: string;
  'event-type'?: EventType;
  runtime?: Runtime;
  engine?: Engine;
  kvs?: string;
  ignore: string[];
  'timeout-ms': number;
  noise: boolean;
  seed: number;
}

/** Gate limits from the command line. */
export interface ReplayLimits {
  maxDiffRate?: number;
  maxLatencyRatio?: number;
  allowIncomplete?: boolean;
}

/** The options both take (the corpus as written on the command line). */
export type CommonReplayOptions = Pick<
  ReplayOptions,
  'oldPath' | 'newPath' | 'eventType' | 'runtime' | 'engine' | 'kvsPath' | 'ignore' | 'timeoutMs' | 'noise' | 'seed' | 'maxDiffRate' | 'maxLatencyRatio' | 'allowIncomplete'
> & { corpus: string };

export function commonReplayOptions(args: CommonReplayArgs, limits: ReplayLimits): CommonReplayOptions {
  return {
    oldPath: args.old,
    newPath: args.new,
    corpus: args.corpus,
    ...(args['event-type'] ? { eventType: args['event-type'] } : {}),
    ...(args.runtime ? { runtime: args.runtime } : {}),
    ...(args.engine && args.engine !== 'v8' ? { engine: args.engine } : {}),
    ...(args.kvs ? { kvsPath: args.kvs } : {}),
    ignore: args.ignore,
    timeoutMs: args['timeout-ms'],
    noise: args.noise,
    seed: args.seed,
    ...(limits.maxDiffRate !== undefined ? { maxDiffRate: limits.maxDiffRate } : {}),
    ...(limits.maxLatencyRatio !== undefined ? { maxLatencyRatio: limits.maxLatencyRatio } : {}),
    ...(limits.allowIncomplete === true ? { allowIncomplete: true } : {}),
  };
}
