// An output never overwrites an input: every output path is checked before
// any work starts, by one shared helper, in every command that writes files.
// Real files, a symlink, a hard link, a directory, a FIFO and /dev/null.
import { describe, expect, it } from 'vitest';
import { copyFileSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { checkOutputPaths, OutputPathError } from '../../src/util/output-paths.js';
import { useTempDir } from '../helpers/tmp.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { requireCliBuilt, root, runCli } from '../helpers/cli-process.js';

const fn = `${root}test/fixtures/replay/passthrough.js`;

describe('checkOutputPaths', () => {
  const tmp = useTempDir();

  it('refuses an output that is an input by path, symlink or hard link; a directory, a device, a FIFO; two outputs on one file', () => {
    const input = join(tmp.path, 'in.cfr');
    writeFileSync(input, 'x');
    symlinkSync(input, join(tmp.path, 'sym.json'));
    linkSync(input, join(tmp.path, 'hard.json'));
    mkdirSync(join(tmp.path, 'dir'));
    execFileSync('mkfifo', [join(tmp.path, 'fifo')]);
    writeFileSync(join(tmp.path, 'plain'), 'x');
    const ins = [{ what: 'the corpus', path: input }];
    const check = (path: string) => () => checkOutputPaths([{ what: '--json', path }], ins);
    expect(check(input)).toThrow(/^--json .*in\.cfr: is the corpus \(.*in\.cfr\); an output never overwrites an input/);
    expect(check(join(tmp.path, 'sym.json'))).toThrow(/sym\.json: is the corpus/);
    expect(check(join(tmp.path, 'hard.json'))).toThrow(/hard\.json: is the corpus/);
    expect(check(join(tmp.path, '.', 'in.cfr'))).toThrow(/is the corpus/);
    expect(check(join(tmp.path, 'dir'))).toThrow(/is a directory; an output must be a regular file/);
    expect(check('/dev/null')).toThrow(/\/dev\/null: is a device/);
    expect(check(join(tmp.path, 'fifo'))).toThrow(/is a FIFO/);
    expect(check(join(tmp.path, 'plain', 'x.json'))).toThrow(/plain is not a directory/);
    expect(check(join(tmp.path, 'plain'))).not.toThrow();
    expect(check(join(tmp.path, 'new.json'))).not.toThrow();
    expect(check('-')).not.toThrow();
    expect(() => checkOutputPaths([{ what: '--html', path: join(tmp.path, 'a') }, { what: '--junit', path: join(tmp.path, '.', 'a') }], [])).toThrow(/--junit .*: is also the file of --html/);
    expect(() => checkOutputPaths([{ what: '-o', path: join(tmp.path, 'missing', 'x') }], [])).toThrow(/directory .*missing does not exist/);
    expect(() => checkOutputPaths([{ what: '--html', path: join(tmp.path, 'missing', 'x') }], [], { createParents: true })).not.toThrow();
    expect(() => checkOutputPaths([{ what: '-o', path: input }], ins)).toThrow(OutputPathError);
  });

  describe('in every command, before any work, exit 2 in one line, the input untouched', () => {
    it('replay --json/--html/--markdown/--junit', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const corpus = await writeSyntheticCorpus(tmp.path, 50, 50);
      const kvs = join(tmp.path, 'kvs.json');
      writeFileSync(kvs, JSON.stringify({ data: [] }));
      const fnCopy = join(tmp.path, 'fn.js');
      copyFileSync(fn, fnCopy);
      const before = [readFileSync(corpus), readFileSync(fnCopy), readFileSync(kvs)];
      mkdirSync(join(tmp.path, 'out'));
      const base = ['replay', '--old', fnCopy, '--new', fn, '--corpus', corpus, '--kvs', kvs, '--workers', '1'];
      const cases: [string[], RegExp][] = [
        [['--json', corpus], /--json .*: is the corpus/],
        [['--html', fnCopy], /--html .*fn\.js: is the OLD function/],
        [['--markdown', kvs], /--markdown .*kvs\.json: is the KVS file/],
        [['--junit', join(tmp.path, 'out')], /--junit .*out: is a directory/],
        [['--json', '/dev/null'], /--json \/dev\/null: is a device/],
        [['--json', join(tmp.path, 'r.json'), '--html', join(tmp.path, 'r.json')], /--html .*r\.json: is also the file of --json/],
      ];
      for (const [extra, message] of cases) {
        const r = await runCli([...base, ...extra]);
        expect({ extra, code: r.code }).toEqual({ extra, code: 2 });
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe(''); // nothing ran
      }
      expect([readFileSync(corpus), readFileSync(fnCopy), readFileSync(kvs)]).toEqual(before);
      const ok = await runCli([...base, '--json', join(tmp.path, 'deeper', 'r.json')]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(readFileSync(join(tmp.path, 'deeper', 'r.json'), 'utf8')).schema).toBe('cfreplay-report/1');
    });

    it('report outputs may not be the report read; record -o may not be an input or a device; pull may not write a directory', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const corpus = await writeSyntheticCorpus(tmp.path, 50, 50);
      const json = join(tmp.path, 'r.json');
      expect((await runCli(['replay', '--old', fn, '--new', fn, '--corpus', corpus, '--workers', '1', '--json', json])).code).toBe(0);
      const report = readFileSync(json);
      const r1 = await runCli(['report', json, '--html', json]);
      expect(r1.code).toBe(2);
      expect(r1.stderr).toMatch(/^cfreplay: --html .*r\.json: is the report being read/);
      expect(readFileSync(json)).toEqual(report);

      const har = join(tmp.path, 'in.har');
      copyFileSync(`${root}test/fixtures/har/edge-cases.har`, har);
      const harBytes = readFileSync(har);
      const r2 = await runCli(['record', 'har', har, '-o', har, '--force']);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/-o .*in\.har: is an input/);
      expect(readFileSync(har)).toEqual(harBytes);
      const link = join(tmp.path, 'link.cfr');
      symlinkSync(har, link);
      const r3 = await runCli(['record', 'har', har, '-o', link, '--force']);
      expect(r3.code).toBe(2);
      expect(readFileSync(har)).toEqual(harBytes);
      const devBefore = statSync('/dev/null');
      const r4 = await runCli(['record', 'har', har, '-o', '/dev/null', '--force']);
      expect(r4.code).toBe(2);
      expect(r4.stderr).toMatch(/-o \/dev\/null: is a device/);
      const devAfter = statSync('/dev/null');
      expect([devAfter.isCharacterDevice(), devAfter.ino, devAfter.rdev]).toEqual([true, devBefore.ino, devBefore.rdev]);
      const r5 = await runCli(['record', 'har', har, '-o', tmp.path, '--force']);
      expect(r5.code).toBe(2);
      expect(r5.stderr).toMatch(/is a directory/);
      const r6 = await runCli(['pull', 'redis://127.0.0.1:1/0#x', tmp.path]);
      expect(r6.code).toBe(2);
      expect(r6.stderr).toMatch(/^cfreplay: pull .*: is a directory/);
    });
  });
});
