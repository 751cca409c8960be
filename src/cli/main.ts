/**
 * The cfreplay command line: a thin yargs layer over the programmatic API.
 * Every command module lives in ./commands (loaded on use); this file only wires them up and
 * turns user errors into one-line messages with exit code 2.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError, EXIT_USAGE } from './errors.js';
import { userErrorMessage } from '../util/user-error.js';
import { commandsFor } from './commands/index.js';
import { EPILOGUE, USAGE, helpWidth, packageVersion } from './top-help.js';

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
export function topLevelCli(args: string[], width: number) {
  return yargs(args)
    .scriptName('cfreplay')
    .usage(USAGE)
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'Name a command (see the list above).')
    .recommendCommands()
    .wrap(width)
    .epilogue(EPILOGUE)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
}

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  const args = joinDashValues(argv);
  const cli = topLevelCli(args, helpWidth(process.stdout.columns));
  try {
    // Only the invoked command's module is imported (--help and --version load none).
    for (const command of await commandsFor(args)) cli.command(command);
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
