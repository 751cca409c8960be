/**
 * The cfreplay command line: a thin yargs layer over the programmatic API.
 * Every command module lives in ./commands (loaded on use); this file only wires them up and
 * turns user errors into one-line messages with exit code 2.
 */
import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { UsageError, EXIT_USAGE } from './errors.js';
import { userErrorMessage } from '../util/user-error.js';
import { commandsFor, invokedCommand } from './commands/index.js';
import { EPILOGUE, USAGE, helpWidth, packageVersion } from './top-help.js';
import { traceMark } from '../util/trace.js';
import { withDeferredSegmenter } from './deferred-segmenter.js';

/**
 * yargs-parser never takes a lone "-" as an option's value (it becomes a
 * stray positional), yet "-" is how a user says stdin: `--event -`. Join
 * such pairs into `--event=-` before parsing.
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--') && arg.length > 2 && !arg.includes('=') && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else if (arg === '-') {
      // A lone "-" input (`record har -`) is dropped by yargs-parser: name standard input by its path.
      out.push('/dev/stdin');
    } else out.push(arg);
  }
  return out;
}

/** The top-level yargs instance for `args` at `width` columns, before any command is registered. */
export async function topLevelCli(args: string[], width: number): Promise<Argv> {
  // (its string-width copies each build an Intl.Segmenter as they load: deferred to first use)
  const { default: yargs } = await withDeferredSegmenter(() => import('yargs'));
  const cli = yargs(args)
    .scriptName('cfreplay')
    .usage(USAGE)
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'Name a command (`cfreplay --help` lists them).')
    .recommendCommands()
    .wrap(width)
    .epilogue(EPILOGUE)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  skipHelpCache(cli);
  return cli;
}

/**
 * yargs renders the invoked command's whole help text as the command starts, in case it
 * is asked for later (~60 ms of CPU for `replay`, word-wrapped through string-width):
 * nothing here asks for it (`.fail` throws instead of printing help; `--help` renders its
 * own). Left alone when the yargs internals are not what this expects.
 */
function skipHelpCache(cli: Argv): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } };
  const usage = (cli as unknown as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** `--workers N` / `--workers=N` as given, when it is a whole number >= 1. */
function requestedWorkers(args: readonly string[]): number | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workers') value = args[i + 1];
    else if (args[i]!.startsWith('--workers=')) value = args[i]!.slice('--workers='.length);
  }
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** A `replay` on this machine's worker threads (not --distributed, --resume, --help or --version). */
function isLocalReplay(args: readonly string[]): boolean {
  if (invokedCommand(args) !== 'replay') return false;
  return !args.some((a) => a === '--help' || a === '--version' || a === '--distributed' || a.startsWith('--distributed=') || a === '--resume' || a.startsWith('--resume='));
}

/**
 * A local `replay` starts its worker threads first thing, before yargs and the command's
 * modules load: they boot on the other core meanwhile (see prespawnReplayWorkers). The
 * replay command still decides how many it uses; unused ones do not keep the process alive.
 */
async function startReplayWorkersEarly(args: readonly string[]): Promise<void> {
  if (!isLocalReplay(args)) return;
  const cores = availableParallelism();
  const { prespawnReplayWorkers, MAX_WORKERS_PER_CORE } = await import('../replay/pool.js');
  prespawnReplayWorkers(Math.min(requestedWorkers(args) ?? cores, cores * MAX_WORKERS_PER_CORE));
}

/**
 * Has everything the command does finished when main() resolves? A local replay awaits its
 * workers' end, its corpus and its reports, so bin/cfreplay ends the process then (stdout and
 * stderr flushed first) instead of waiting for node's own teardown of a process that ran three
 * isolates (~20 ms). Other commands may leave a server or a worker running on purpose, and a
 * distributed coordinator keeps its way of ending (its Redis client winds down by itself).
 */
export function endsWhenDone(argv: readonly string[] = process.argv.slice(2)): boolean {
  return isLocalReplay(joinDashValues(argv));
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  traceMark('main');
  const args = joinDashValues(argv);
  await startReplayWorkersEarly(args);
  traceMark('workers started');
  const cli = await topLevelCli(args, helpWidth(process.stdout.columns));
  traceMark('yargs loaded');
  try {
    // Only the invoked command's module is imported (--help and --version load none).
    for (const command of await commandsFor(args)) cli.command(command);
    traceMark('command loaded');
    await cli.parseAsync();
  } catch (err) {
    const message = userErrorMessage(err);
    if (message !== undefined) {
      // Last safety net: a credential in whatever the user typed (a mistyped Redis URL echoed back) is
      // never printed. Loaded here, on the error path only (--help and --version load no store module).
      const { maskPassword } = await import('../store/redis/url.js');
      process.stderr.write(`cfreplay: ${maskPassword(message)}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw err;
  }
}
