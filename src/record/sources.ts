/**
 * The capture sources of `cfreplay record`: one line each. A source is a folder of
 * src/record/ with a `command.ts` (its yargs command: options, usage, and how it opens
 * its inputs, sharing the record options of cli.ts); listing it here is all it takes.
 * A source whose lines the recording worker threads may parse (a BatchedSource, see
 * parallel/record-in-workers.ts) names its line-parser module, in its own folder, in
 * the batches it cuts (cflog: cflog-lines.ts exports `lineParser`); the workers load it
 * from there (parallel/line-parsers.ts), so nothing else lists it.
 */
import type { CommandModule } from 'yargs';
import { harCommand } from './har/command.js';
import { proxyCommand } from './proxy/command.js';
import { gorCommand } from './gor/command.js';
import { cflogCommand } from './cflog/command.js';
import { eventsCommand } from './events/command.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs command modules differ in their argument types
export const RECORD_SOURCES: readonly CommandModule<any, any>[] = [harCommand, proxyCommand, gorCommand, cflogCommand, eventsCommand];
