import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createCorpusWriter, openCorpusFile, CorpusError, CorruptChunkError, CHUNK_HEADER_SIZE } from '../../src/store/index.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { useTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

async function writeCorpus(path: string, records: RecordedExchange[], chunkEvents = 100): Promise<void> {
  const w = await createCorpusWriter(path, { chunkEvents });
  for (const r of records) await w.write(r);
  await w.close();
}

async function readAll(path: string, onCorruptChunk?: (e: CorruptChunkError) => void): Promise<RecordedExchange[]> {
  const c = await openCorpusFile(path);
  const out: RecordedExchange[] = [];
  try {
    for await (const r of c.records(onCorruptChunk ? { onCorruptChunk } : {})) out.push(r);
  } finally {
    await c.close();
  }
  return out;
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('corpus file', () => {
  const tmp = useTempDir();
  const records = syntheticRecords(1050);

  it('writes chunks and an index, and reads every record back in order', async () => {
    const path = join(tmp.path, 'a.cfr');
    await writeCorpus(path, records);
    const c = await openCorpusFile(path);
    expect(c.complete).toBe(true);
    expect(c.events).toBe(1050);
    expect(c.chunks.length).toBe(11);
    expect(c.chunks.map((x) => x.events).reduce((a, b) => a + b)).toBe(1050);
    expect(await c.recordAt(1049)).toEqual(records[1049]);
    expect(await c.recordAt(1050)).toBeUndefined();
    expect(await c.verify()).toEqual([]);
    await c.close();
    expect(await readAll(path)).toEqual(records);
  });

  it('keeps every completed chunk readable when the recording process is killed', async () => {
    const path = join(tmp.path, 'killed.cfr');
    // A real process writes 5 full chunks, waits until they are on disk, then is SIGKILLed mid-way.
    const script = `
      import { createCorpusWriter } from ${JSON.stringify(new URL('../../dist/store/index.js', import.meta.url).href)};
      import { syntheticRecords } from ${JSON.stringify(new URL('../../bench/synthetic.mjs', import.meta.url).href)};
      const w = await createCorpusWriter(${JSON.stringify(path)}, { chunkEvents: 100 });
      let i = 0;
      for (const r of syntheticRecords(550)) { await w.write(r); i++; }
      await w.flush(); // 5 chunks + a partial one of 50, being written
      await new Promise((r) => setTimeout(r, 200));
      process.kill(process.pid, 'SIGKILL');
    `;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(res.signal).toBe('SIGKILL');
    const c = await openCorpusFile(path);
    expect(c.complete).toBe(false);
    expect(c.summary().problems[0]?.message).toMatch(/did not finish/);
    expect(c.events).toBe(550);
    await c.close();
    expect(await readAll(path)).toEqual(syntheticRecords(550));
  });

  it('reports a corrupted chunk with file, chunk and offset, and reads the rest', async () => {
    const path = join(tmp.path, 'corrupt.cfr');
    await writeCorpus(path, records);
    const c = await openCorpusFile(path);
    const target = c.chunks[3]!;
    await c.close();
    const bytes = readFileSync(path);
    bytes[target.offset + CHUNK_HEADER_SIZE + 10]! ^= 0xff;
    writeFileSync(path, bytes);
    const problems: CorruptChunkError[] = [];
    const got = await readAll(path, (e) => problems.push(e));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.chunk).toBe(3);
    expect(problems[0]!.offset).toBe(target.offset);
    expect(problems[0]!.message).toContain(path);
    expect(problems[0]!.message).toMatch(/checksum/);
    expect(got).toEqual([...records.slice(0, 300), ...records.slice(400)]);
    const again = await openCorpusFile(path);
    expect((await again.verify()).map((e) => e.chunk)).toEqual([3]);
    await again.close();
    // without a handler, reading stops with the same clear error
    await expect(readAll(path)).rejects.toThrow(/chunk 3 at byte/);
  });

  it('resynchronises past a damaged chunk header in an unfinished file', async () => {
    const path = join(tmp.path, 'header.cfr');
    await writeCorpus(path, records);
    const c = await openCorpusFile(path);
    const chunk2 = c.chunks[2]!;
    const indexAt = c.summary().dataEnd;
    await c.close();
    const bytes = readFileSync(path).subarray(0, indexAt); // drop index + trailer: forces a scan
    bytes[chunk2.offset + 5]! ^= 0xff; // breaks the header's own checksum
    writeFileSync(path, bytes);
    const d = await openCorpusFile(path);
    expect(d.complete).toBe(false);
    expect(d.events).toBe(950);
    expect(d.summary().problems.some((p) => p.offset === chunk2.offset && /header checksum/.test(p.message))).toBe(true);
    await d.close();
    expect(await readAll(path)).toEqual([...records.slice(0, 200), ...records.slice(300)]);
  });

  it('reports a file cut in the middle of its last chunk', async () => {
    const path = join(tmp.path, 'cut.cfr');
    await writeCorpus(path, records);
    const c = await openCorpusFile(path);
    const last = c.chunks[c.chunks.length - 1]!;
    await c.close();
    writeFileSync(path, readFileSync(path).subarray(0, last.offset + 60));
    const d = await openCorpusFile(path);
    expect(d.events).toBe(1000);
    expect(d.summary().problems.map((p) => p.message).join('\n')).toMatch(/cut short/);
    await d.close();
  });

  it('appends to an existing corpus, and an aborted append restores the file byte for byte', async () => {
    const path = join(tmp.path, 'append.cfr');
    await writeCorpus(path, records.slice(0, 500));
    const before = sha(path);
    const w = await createCorpusWriter(path, { append: true, chunkEvents: 100 });
    for (const r of records.slice(500, 800)) await w.write(r);
    await w.abort();
    expect(sha(path)).toBe(before);
    const w2 = await createCorpusWriter(path, { append: true, chunkEvents: 100 });
    for (const r of records.slice(500)) await w2.write(r);
    const stats = await w2.close();
    expect(stats.events).toBe(550);
    expect(stats.totalEvents).toBe(1050);
    expect(await readAll(path)).toEqual(records);
  });

  it('removes a new file on abort, so nothing half-written looks like a corpus', async () => {
    const path = join(tmp.path, 'aborted.cfr');
    const w = await createCorpusWriter(path, { chunkEvents: 100 });
    for (const r of records.slice(0, 250)) await w.write(r);
    await w.abort();
    expect(existsSync(path)).toBe(false);
  });

  it('flushes a partial chunk on a timer for live capture', async () => {
    const path = join(tmp.path, 'timer.cfr');
    const w = await createCorpusWriter(path, { chunkEvents: 1000, flushIntervalMs: 100 });
    for (const r of records.slice(0, 10)) await w.write(r);
    // Readable before close: a crash now would lose nothing. Read until the timer has flushed
    // them (up to 10 s), not once after a fixed 400 ms a loaded machine's timers may miss; a
    // writer that flushed only at close (or at a full chunk of 1,000) never gets there.
    const events = await waitFor(
      'the 10 records to be flushed before close',
      async () => {
        const c = await openCorpusFile(path);
        try {
          return c.events === 10 ? c.events : undefined;
        } finally {
          await c.close();
        }
      },
      10_000,
    );
    expect(events).toBe(10);
    await w.close();
    expect(statSync(path).size).toBeGreaterThan(0);
  });

  it('gives one-line errors naming the file for bad paths and non-corpora', async () => {
    await expect(openCorpusFile(join(tmp.path, 'missing.cfr'))).rejects.toThrow(/missing\.cfr: corpus file not found/);
    // A directory opens read-only on Linux and fails at the first read (EISDIR): before, that escaped as a raw error.
    await expect(openCorpusFile(tmp.path)).rejects.toThrow(new CorpusError(`${tmp.path}: is a directory, expected a corpus file`));
    await expect(createCorpusWriter(join(tmp.path, 'no-such-dir', 'x.cfr'))).rejects.toThrow(/does not exist/);
    const text = join(tmp.path, 'text.cfr');
    writeFileSync(text, '{"log": {}}');
    await expect(openCorpusFile(text)).rejects.toThrow(/text\.cfr: not a cfreplay corpus/);
    await expect(createCorpusWriter(text, { append: true })).rejects.toBeInstanceOf(CorpusError);
    const existing = join(tmp.path, 'exists.cfr');
    await writeCorpus(existing, records.slice(0, 5));
    await expect(createCorpusWriter(existing)).rejects.toThrow(/already exists/);
  });
});
