import type { CommandModule } from 'yargs';
import { runCommandModule } from './run.js';
import { recordCommandModule } from './record.js';
import { inspectCommandModule } from './inspect.js';
import { catCommandModule } from './cat.js';
import { showCommandModule } from './show.js';
import { reportCommandModule } from './report.js';
import { replayCommandModule } from './replay.js';
import { pushCommandModule, pullCommandModule } from './push.js';
import { lsCommandModule, rmCommandModule } from './ls.js';
import { workerCommandModule } from './worker.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs command modules differ in their argument types
export const commands: CommandModule<any, any>[] = [recordCommandModule, replayCommandModule, inspectCommandModule, catCommandModule, runCommandModule, showCommandModule, reportCommandModule, pushCommandModule, pullCommandModule, lsCommandModule, rmCommandModule, workerCommandModule];
