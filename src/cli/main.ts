/**
 * The cfreplay command line: a thin yargs layer over the programmatic API.
 * Every command module lives in ./commands (loaded on use); this file only wires them up and
 * turns user errors into one-line messages with exit code 2.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readFileSync } from 'node:fs';
import { UsageError, EXIT_USAGE } from './errors.js';
import { userErrorMessage } from '../util/user-error.js';
import { commandsFor } from './commands/index.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

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

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  const args = joinDashValues(argv);
  const cli = yargs(args)
    .scriptName('cfreplay')
    .usage('$0 <command> [options]\n\nRecord real traffic as CloudFront Functions events, replay it through two versions of a function, and report every behavioural difference.')
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'Name a command (see the list above).')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 ok / no difference, 1 differences or a failing outcome, 2 usage or input error.')
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
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
