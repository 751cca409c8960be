/**
 * The top-level commands, loaded lazily: `cfreplay --help` and `--version`
 * import no command module (the listing comes from SUMMARIES), and a command
 * imports only its own module (and what that needs) when it is invoked.
 */
import type { CommandModule } from 'yargs';
import { SUMMARIES, type CommandName } from './summaries.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs command modules differ in their argument types
type AnyCommand = CommandModule<any, any>;

const LOADERS: Record<CommandName, () => Promise<AnyCommand>> = {
  record: async () => (await import('./record.js')).recordCommandModule,
  replay: async () => (await import('./replay.js')).replayCommandModule,
  inspect: async () => (await import('./inspect.js')).inspectCommandModule,
  cat: async () => (await import('./cat.js')).catCommandModule,
  run: async () => (await import('./run.js')).runCommandModule,
  test: async () => (await import('./test-cases.js')).testCommandModule,
  show: async () => (await import('./show.js')).showCommandModule,
  report: async () => (await import('./report.js')).reportCommandModule,
  push: async () => (await import('./push.js')).pushCommandModule,
  pull: async () => (await import('./push.js')).pullCommandModule,
  ls: async () => (await import('./ls.js')).lsCommandModule,
  rm: async () => (await import('./ls.js')).rmCommandModule,
  worker: async () => (await import('./worker.js')).workerCommandModule,
};

export const COMMAND_NAMES = Object.keys(SUMMARIES) as CommandName[];

/** The name of the command an argument list invokes (its first positional), when it is one. */
export function invokedCommand(argv: readonly string[]): CommandName | undefined {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(SUMMARIES, first) ? (first as CommandName) : undefined;
}

/**
 * The command modules to register for `argv`: the invoked command's full module
 * (options, examples, handler), and for every other command a stand-in with its
 * name and description only, which is all the listing in `--help` needs.
 */
export async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const invoked = invokedCommand(argv);
  return Promise.all(
    COMMAND_NAMES.map(async (name): Promise<AnyCommand> =>
      name === invoked ? LOADERS[name]() : { ...SUMMARIES[name], builder: (y) => y, handler: () => undefined },
    ),
  );
}

/** Every command module, loaded (for tests that check them all). */
export function loadAllCommands(): Promise<AnyCommand[]> {
  return Promise.all(COMMAND_NAMES.map((name) => LOADERS[name]()));
}
