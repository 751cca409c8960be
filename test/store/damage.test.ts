// A damaged corpus file: what opening finds (kind, offset, events lost), what
// `cat` and `inspect` say, and that `replay` fails its `completed` gate check
// unless --allow-incomplete. Real files damaged by cutting, overwriting and
// appending bytes; the CLI runs as a child process.
import { describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCorpusFile, createCorpusWriter, type CorpusProblem } from '../../src/store/index.js';
import { useTempDir } from '../helpers/tmp.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { requireCliBuilt, root, runCli } from '../helpers/cli-process.js';

async function problemsOf(path: string): Promise<{ problems: readonly CorpusProblem[]; events: number; chunks: number }> {
  const c = await openCorpusFile(path);
  try {
    return { problems: c.summary().problems, events: c.events, chunks: c.chunks.length };
  } finally {
    await c.close();
  }
}

function overwrite(path: string, at: number, bytes: Buffer | string): void {
  const b = readFileSync(path);
  Buffer.from(bytes).copy(b, at);
  writeFileSync(path, b);
}

const fn = `${root}test/fixtures/replay/passthrough.js`;

describe('a damaged corpus file', () => {
  const tmp = useTempDir();

  async function corpus(): Promise<{ path: string; chunks: { offset: number; length: number; events: number }[]; indexAt: number; size: number }> {
    const path = await writeSyntheticCorpus(tmp.path, 1000, 200);
    const c = await openCorpusFile(path);
    const s = c.summary();
    await c.close();
    return { path, chunks: s.chunks.map((x) => ({ offset: x.offset, length: x.length, events: x.events })), indexAt: s.dataEnd, size: s.fileBytes };
  }

  it('a whole corpus has no problem', async () => {
    const { path } = await corpus();
    expect((await problemsOf(path)).problems).toEqual([]);
  });

  it('cut inside a chunk: an unfinished recording whose last chunk is lost, with its event count', async () => {
    const { path, chunks } = await corpus();
    truncateSync(path, chunks[3]!.offset + 100);
    const { problems, events } = await problemsOf(path);
    expect(problems.map((p) => p.kind)).toEqual(['unfinished', 'cut-short']);
    expect(problems[1]).toMatchObject({ offset: chunks[3]!.offset, lostEvents: 200 });
    expect(problems[1]!.message).toMatch(/chunk 3 cut short .*200 events are lost/);
    expect(events).toBe(600);
  });

  it('cut between chunks (killed recorder): unfinished, nothing known lost', async () => {
    const { path, chunks } = await corpus();
    truncateSync(path, chunks[2]!.offset);
    const { problems, events } = await problemsOf(path);
    expect(problems.map((p) => p.kind)).toEqual(['unfinished']);
    expect(problems[0]!.lostEvents).toBeUndefined();
    expect(events).toBe(400);
  });

  it('cut inside a chunk header: the cut chunk is named, not taken for garbage', async () => {
    const { path, chunks } = await corpus();
    truncateSync(path, chunks[4]!.offset + 10);
    expect((await problemsOf(path)).problems.map((p) => p.kind)).toEqual(['unfinished', 'cut-short']);
  });

  it('garbage appended after a complete corpus: the corpus is intact and says how many bytes follow it', async () => {
    const { path, size } = await corpus();
    appendFileSync(path, 'some log line that landed here\n');
    const { problems, events } = await problemsOf(path);
    expect(problems).toEqual([expect.objectContaining({ kind: 'appended', offset: size, lostEvents: 0 })]);
    expect(problems[0]!.message).toMatch(/^31 bytes of garbage appended/);
    expect(events).toBe(1000);
  });

  it('garbage appended to an unfinished recording: unfinished plus unreadable bytes up to the end', async () => {
    const { path, chunks } = await corpus();
    truncateSync(path, chunks[2]!.offset);
    appendFileSync(path, Buffer.alloc(5000, 0x41));
    const { problems, events } = await problemsOf(path);
    expect(problems.map((p) => p.kind)).toEqual(['unfinished', 'unreadable']);
    expect(problems[1]).toMatchObject({ offset: chunks[2]!.offset });
    expect(problems[1]!.message).toMatch(/5000 unreadable bytes .*up to the end of the file/);
    expect(events).toBe(400);
  });

  it('a damaged index (checksum), a damaged trailer, a trailer cut short and an index cut short are told apart', async () => {
    const { path, indexAt, size } = await corpus();
    const variants: [string, (p: string) => void, string][] = [
      ['index', (p) => overwrite(p, indexAt + 14, 'XY'), 'damaged-index'],
      ['trailer', (p) => overwrite(p, size - 4, 'XY'), 'damaged-trailer'],
      ['trailer-cut', (p) => truncateSync(p, size - 5), 'damaged-trailer'],
      ['index-cut', (p) => truncateSync(p, indexAt + 6), 'damaged-index'],
      ['index-marker', (p) => overwrite(p, indexAt, 'XXXX'), 'damaged-index'],
    ];
    for (const [name, damage, kind] of variants) {
      const copy = join(tmp.path, `${name}.cfr`);
      copyFileSync(path, copy);
      damage(copy);
      const { problems, events, chunks } = await problemsOf(copy);
      expect({ name, kinds: problems.map((p) => p.kind) }).toEqual({ name, kinds: [kind] });
      expect({ name, events, chunks, lost: problems[0]!.lostEvents }).toEqual({ name, events: 1000, chunks: 5, lost: 0 });
    }
  });

  it('a damaged chunk header in a file without index: the bytes are skipped and the chunks after it read', async () => {
    const { path, chunks } = await corpus();
    truncateSync(path, chunks[4]!.offset + chunks[4]!.length); // no index
    overwrite(path, chunks[1]!.offset + 8, 'XXXX');
    const { problems, events } = await problemsOf(path);
    expect(problems.map((p) => p.kind)).toEqual(['unfinished', 'unreadable']);
    expect(problems[1]).toMatchObject({ offset: chunks[1]!.offset });
    expect(problems[1]!.lostEvents).toBeUndefined();
    expect(events).toBe(800);
  });

  it('--append refuses a file whose damage lost events, and repairs one whose damage lost none', async () => {
    const { path, chunks } = await corpus();
    const cut = join(tmp.path, 'cut.cfr');
    copyFileSync(path, cut);
    truncateSync(cut, chunks[3]!.offset + 100);
    await expect(createCorpusWriter(cut, { append: true })).rejects.toThrow(/cannot append: byte \d+: unfinished recording/);
    expect(readFileSync(cut).length).toBe(chunks[3]!.offset + 100);
    const tail = join(tmp.path, 'tail.cfr');
    copyFileSync(path, tail);
    appendFileSync(tail, 'junk');
    const w = await createCorpusWriter(tail, { append: true });
    await w.close();
    expect(await problemsOf(tail)).toMatchObject({ problems: [], events: 1000 });
  });

  describe('through the CLI', () => {
    it('cat prints every readable event, then each damaged region on stderr, and exits 2', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const { path, chunks } = await corpus();
      overwrite(path, chunks[1]!.offset + 60, Buffer.alloc(8, 0xff));
      appendFileSync(path, 'trailing');
      const r = await runCli(['cat', path]);
      expect(r.code).toBe(2);
      expect(r.stdout.trim().split('\n')).toHaveLength(800);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^cfreplay: .*synthetic-1000.cfr: byte \\d+: 8 bytes of garbage appended`));
      expect(lines[1]).toMatch(new RegExp(`^cfreplay: .*synthetic-1000.cfr: chunk 1 at byte ${chunks[1]!.offset} is corrupt \\(payload checksum mismatch\\)`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('cat of a truncated corpus is no longer silent', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const { path, chunks } = await corpus();
      truncateSync(path, chunks[3]!.offset + 100);
      const r = await runCli(['cat', path]);
      expect(r.code).toBe(2);
      expect(r.stdout.trim().split('\n')).toHaveLength(600);
      expect(r.stderr).toMatch(/unfinished recording/);
      expect(r.stderr).toMatch(new RegExp(`byte ${chunks[3]!.offset}: chunk 3 cut short .*200 events are lost`));
    });

    it('inspect --json names the kind of damage', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const { path, indexAt } = await corpus();
      overwrite(path, indexAt + 14, 'XY');
      const r = await runCli(['inspect', path, '--json']);
      expect(r.code).toBe(2);
      const stats = JSON.parse(r.stdout) as { integrity: { ok: boolean; damage: { kind: string }[] } };
      expect(stats.integrity.ok).toBe(false);
      expect(stats.integrity.damage.map((d) => d.kind)).toEqual(['damaged-index']);
      const text = await runCli(['inspect', path]);
      expect(text.stdout).toMatch(/damaged index \(checksum mismatch\)/);
    });

    it('replay over a corrupt chunk fails the completed check with the events lost; --allow-incomplete passes it', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const { path, chunks } = await corpus();
      overwrite(path, chunks[2]!.offset + 60, Buffer.alloc(8, 0xff));
      const json = join(tmp.path, 'r.json');
      const r = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', path, '--workers', '1', '--json', json]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL completed: damaged corpus: 1 damaged region\(s\), 200 events lost/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { gate: { passed: boolean }; events: number; run: { damage: { lostEvents: number; lostEventsKnown: boolean; regions: { kind: string; chunk: number; offset: number }[] } } };
      expect(report.gate.passed).toBe(false);
      expect(report.events).toBe(800);
      expect(report.run.damage).toMatchObject({ lostEvents: 200, lostEventsKnown: true, regions: [{ kind: 'corrupt-chunk', chunk: 2, offset: chunks[2]!.offset }] });
      const allowed = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', path, '--workers', '1', '--allow-incomplete']);
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toMatch(/pass completed: .*accepted by --allow-incomplete/);
    });

    it('replay over an unfinished recording fails the gate and says the loss is unknown', { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const { path, chunks } = await corpus();
      truncateSync(path, chunks[4]!.offset);
      const r = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', path, '--workers', '1']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL completed: damaged corpus: 1 damaged region\(s\), an unknown number of events lost/);
    });
  });
});
