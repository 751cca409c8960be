/**
 * `cfreplay --help` and `cfreplay --version` without yargs: bin/cfreplay answers these two
 * exact invocations from here (importing yargs alone costs ~80 ms of CPU, more than node's
 * own start-up). The help text is laid out as yargs lays out the top-level help (usage,
 * commands, options, epilogue; test/cli/top-help.test.ts compares both at every width this
 * path serves); narrower terminals go through yargs, whose hard word breaking is not copied.
 */
import { readFileSync } from 'node:fs';
import { SUMMARIES } from './commands/summaries.js';
import { PACKAGE_ROOT } from '../util/worker-scripts.js';

export const USAGE = '$0 <command> [options]\n\nRecord real traffic as CloudFront Functions events, replay it through two versions of a function, and report every behavioural difference.';
export const EPILOGUE = 'Exit codes: 0 ok / no difference, 1 differences or a failing outcome, 2 usage or input error.';
/** The help's width for a terminal of `columns` (undefined when stdout is not a terminal). */
export function helpWidth(columns: number | undefined): number {
  return Math.min(110, columns ?? 100);
}
/** Below this width a word may not fit its column; yargs renders those (see the module comment). */
export const MIN_FAST_WIDTH = 60;

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string };
  return pkg.version;
}

/** Greedy word wrap at `width` columns (lines trimmed), each input line on its own. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ').filter((w) => w !== '')) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/** Two columns: `left` padded to `leftWidth` after a 2-space indent, `right` wrapped beside it. */
function twoColumns(left: string, leftWidth: number, right: string, total: number): string[] {
  const lefts = wrap(left, leftWidth);
  const rights = wrap(right, total - leftWidth - 4);
  const lines: string[] = [];
  for (let i = 0; i < Math.max(lefts.length, rights.length); i++) {
    lines.push(`  ${(lefts[i] ?? '').padEnd(leftWidth)}  ${rights[i] ?? ''}`.trimEnd());
  }
  return lines;
}

/** The top-level help for a width of `width` columns (>= MIN_FAST_WIDTH), without a final newline. */
export function renderTopHelp(width: number): string {
  const lines: string[] = [...wrap(USAGE.replace(/\$0/g, 'cfreplay'), width), '', 'Commands:'];
  const commands = Object.values(SUMMARIES).map((s) => [`cfreplay ${s.command}`, s.describe] as const);
  const cmdWidth = Math.min(Math.max(...commands.map(([c]) => c.length)), Math.floor(width * 0.5));
  for (const [command, describe] of commands) lines.push(...twoColumns(command, cmdWidth, describe, width));
  lines.push('', 'Options:');
  for (const [flag, describe] of [['--help', 'Show help'], ['--version', 'Show version number']] as const) {
    const line = twoColumns(flag, '--version'.length, describe, width)[0]!;
    lines.push(line + '[boolean]'.padStart(width - line.length));
  }
  lines.push('', ...wrap(EPILOGUE, width));
  return lines.join('\n');
}
