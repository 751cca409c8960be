/**
 * The options that say how a function is loaded and run, shared by `run`,
 * `replay` and `test` so they read the same everywhere: runtime, store
 * (--kvs / --kvs-empty) and deploy transforms (--strip-export, --define,
 * --prepend) and the engine (--engine v8|njs).
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { RUNTIMES, type Runtime } from '../runtime/types.js';
import { DEFAULT_ENGINE, ENGINES, type Engine } from '../runtime/engine-names.js';
import { parseDefine, type DeployTransforms } from '../runtime/transforms.js';
import { UsageError } from './errors.js';
import { inputFileMessage } from '../util/input-file.js';

export interface FunctionArgs {
  runtime?: Runtime;
  kvs?: string;
  'kvs-empty'?: boolean;
  'strip-export'?: boolean;
  define?: string[];
  prepend?: string[];
  /** `both` (replay and run only) is `--cross-check` on the v8 engine. */
  engine?: Engine | 'both';
  'cross-check'?: boolean;
}

const GROUP = 'Function loading:';

/** Adds the shared options to a command's builder; `crossCheck`: the command takes --cross-check (and --engine both). */
export function functionOptions<T>(y: Argv<T>, crossCheck = false): Argv<T & FunctionArgs> {
  const withEngine = y
    .option('runtime', { choices: [...RUNTIMES], group: GROUP, describe: 'default: detected from the source (2.0 when it uses import, const/let, async/await)' })
    .option('kvs', { type: 'string', group: GROUP, describe: 'KeyValueStore snapshot in the AWS import format ({"data":[{"key","value"}]})' })
    .option('kvs-empty', { type: 'boolean', group: GROUP, describe: 'run a function that uses a KeyValueStore against an empty store on purpose (without --kvs or this, such a function is refused)' })
    .option('strip-export', { type: 'boolean', group: GROUP, describe: 'remove `export` statements, as deploy tools do (CloudFront rejects them)' })
    .option('define', { type: 'string', array: true, group: GROUP, describe: "replace the text NAME by VALUE in the source before running: --define KVS_ID_PLACEHOLDER=a1b2 --define '${KvsArn}=arn:...'" })
    .option('prepend', { type: 'string', array: true, group: GROUP, describe: 'put this file in front of the function source (shared globals), as a deploy step would' })
    .option('engine', {
      choices: crossCheck ? [...ENGINES, 'both'] : [...ENGINES],
      default: DEFAULT_ENGINE,
      group: GROUP,
      describe: `v8: fast vm sandbox; njs: nginx njs compiled to WebAssembly (the engine family CloudFront runs)${crossCheck ? '; both: --cross-check' : ''}`,
    });
  const out = crossCheck
    ? withEngine.option('cross-check', {
        type: 'boolean',
        group: GROUP,
        describe: 'also run every event on the other engine and report where the two engines disagree (fails the gate: engines-agree)',
      })
    : withEngine;
  return out as unknown as Argv<T & FunctionArgs>;
}

/** The engine and whether to cross-check, from --engine and --cross-check (`--engine both` = v8 with --cross-check). */
export function engineFromArgs(args: Pick<FunctionArgs, 'engine' | 'cross-check'>): { engine: Engine; crossCheck: boolean } {
  if (args.engine === 'both') return { engine: 'v8', crossCheck: true };
  return { engine: args.engine ?? DEFAULT_ENGINE, crossCheck: args['cross-check'] === true };
}

/** The transforms the options ask for (prepended files read here), or undefined for none. */
export function transformsFromArgs(args: FunctionArgs): DeployTransforms | undefined {
  const t: DeployTransforms = {
    ...(args['strip-export'] === true ? { stripExport: true } : {}),
    ...(args.define !== undefined && args.define.length > 0 ? { defines: args.define.map(parseDefine) } : {}),
    ...(args.prepend !== undefined && args.prepend.length > 0
      ? {
          prepend: args.prepend.map((path) => {
            try {
              return { path, text: readFileSync(path, 'utf8') };
            } catch (e) {
              throw new UsageError(`--prepend ${inputFileMessage(path, e, 'file')}`);
            }
          }),
        }
      : {}),
  };
  return Object.keys(t).length > 0 ? t : undefined;
}

/** --kvs and --kvs-empty contradict each other. */
export function checkKvsArgs(args: FunctionArgs): void {
  if (args.kvs !== undefined && args['kvs-empty'] === true) throw new UsageError('--kvs and --kvs-empty: give one (a snapshot, or an empty store on purpose)');
}
