// `cfreplay --help` / `--version` answered by bin/cfreplay without yargs must say exactly
// what yargs says (top-level help at every width the fast path serves, the package version).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { topLevelCli } from '../../src/cli/main.js';
import { commandsFor } from '../../src/cli/commands/index.js';
import { MIN_FAST_WIDTH, helpWidth, renderTopHelp } from '../../src/cli/top-help.js';

const root = new URL('../../', import.meta.url).pathname;

async function yargsHelp(width: number): Promise<string> {
  const cli = await topLevelCli(['--help'], width);
  for (const command of await commandsFor([])) cli.command(command);
  return cli.getHelp();
}

describe('top-level help without yargs', () => {
  it('is the text yargs renders, at every width from the minimum to the widest', async () => {
    for (let width = MIN_FAST_WIDTH; width <= helpWidth(500); width++) {
      expect(renderTopHelp(width), `width ${width}`).toBe(await yargsHelp(width));
    }
  });

  it('bin/cfreplay --help prints it (100 columns off a terminal) and exits 0', async () => {
    const r = spawnSync(process.execPath, [`${root}bin/cfreplay`, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${await yargsHelp(100)}\n`);
  });

  it('bin/cfreplay --version prints the package version', () => {
    const r = spawnSync(process.execPath, [`${root}bin/cfreplay`, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version}\n`);
  });

  it('bin/cfreplay with no command prints the list of commands and a one-line error on stderr, exit 2', async () => {
    const r = spawnSync(process.execPath, [`${root}bin/cfreplay`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${await yargsHelp(100)}\n\ncfreplay: name a command (see the list above)\n`);
    expect(r.stderr).toContain('cfreplay replay');
  });
});
