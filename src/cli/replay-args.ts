/** The replay options both the local and the distributed `cfreplay replay` take from the command line. */
import type { EventType } from '../event/types.js';
import type { Runtime } from '../runtime/types.js';
import type { ReplayOptions } from '../replay/replay.js';
import { checkKvsArgs, engineFromArgs, transformsFromArgs, type FunctionArgs } from './function-args.js';

export interface CommonReplayArgs extends FunctionArgs {
  old: string;
  new: string;
  corpus: string;
  'event-type'?: EventType;
  runtime?: Runtime;
  ignore: string[];
  'timeout-ms': number;
  noise: boolean;
  seed: number;
}

/** Gate limits from the command line. */
export interface ReplayLimits {
  maxDiffRate?: number;
  maxLatencyRatio?: number;
  maxOldErrorRate?: number;
  allowIncomplete?: boolean;
}

/** The options both take (the corpus as written on the command line). */
export type CommonReplayOptions = Pick<
  ReplayOptions,
  'oldPath' | 'newPath' | 'eventType' | 'runtime' | 'engine' | 'crossCheck' | 'kvsPath' | 'kvsEmpty' | 'transforms' | 'ignore' | 'timeoutMs' | 'noise' | 'seed' | 'maxDiffRate' | 'maxLatencyRatio' | 'maxOldErrorRate' | 'allowIncomplete'
> & { corpus: string };

export function commonReplayOptions(args: CommonReplayArgs, limits: ReplayLimits): CommonReplayOptions {
  checkKvsArgs(args);
  const transforms = transformsFromArgs(args);
  const { engine, crossCheck } = engineFromArgs(args);
  return {
    oldPath: args.old,
    newPath: args.new,
    corpus: args.corpus,
    ...(args['event-type'] ? { eventType: args['event-type'] } : {}),
    ...(args.runtime ? { runtime: args.runtime } : {}),
    ...(engine !== 'v8' ? { engine } : {}),
    ...(crossCheck ? { crossCheck } : {}),
    ...(args.kvs ? { kvsPath: args.kvs } : {}),
    ...(args['kvs-empty'] === true ? { kvsEmpty: true } : {}),
    ...(transforms !== undefined ? { transforms } : {}),
    ignore: args.ignore,
    timeoutMs: args['timeout-ms'],
    noise: args.noise,
    seed: args.seed,
    ...(limits.maxDiffRate !== undefined ? { maxDiffRate: limits.maxDiffRate } : {}),
    ...(limits.maxLatencyRatio !== undefined ? { maxLatencyRatio: limits.maxLatencyRatio } : {}),
    ...(limits.maxOldErrorRate !== undefined ? { maxOldErrorRate: limits.maxOldErrorRate } : {}),
    ...(limits.allowIncomplete === true ? { allowIncomplete: true } : {}),
  };
}
