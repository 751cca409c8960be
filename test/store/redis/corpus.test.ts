// Corpora in a real redis-server (started on a free loopback port, stopped after):
// push/pull bit for bit, record -o redis, cat/inspect/ls/rm, writer abort rules,
// replay from Redis, and the one-line errors (wrong password, nothing listening).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCorpusWriter, openCorpus, openCorpusFile } from '../../../src/store/index.js';
import { RedisCorpus, RedisCorpusWriter, connectRedis, deleteCorpus, listCorpora, parseRedisTarget, pullCorpus, pushCorpus } from '../../../src/store/redis/index.js';
import { replay } from '../../../src/replay/replay.js';
import { syntheticRecords } from '../../helpers/synthetic.js';
import { freePort, requireRedisServer, startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { requireCliBuilt, root, runCli } from '../../helpers/cli-process.js';
import { comparable } from '../../helpers/report-compare.js';


describe('corpus in Redis', () => {
  beforeAll(requireRedisServer);
  let server: RedisServer;
  let tmp: string;
  let file: string;
  const records = syntheticRecords(2_500, 7);

  beforeAll(async () => {
    server = await startRedisServer();
    tmp = mkdtempSync(join(tmpdir(), 'cfreplay-redis-corpus-'));
    file = join(tmp, 'sample.cfr');
    const w = await createCorpusWriter(file, { chunkEvents: 300 });
    for (const r of records) await w.write(r);
    await w.close();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const target = (name?: string) => parseRedisTarget(`${server.url}${name !== undefined ? `#${name}` : ''}`);

  it('push then pull copies every chunk bit for bit (same bytes, same checksums)', async () => {
    const pushed = await pushCorpus(file, target('round-trip'));
    expect(pushed).toMatchObject({ events: 2_500, chunks: 9 });
    const back = join(tmp, 'back.cfr');
    const pulled = await pullCorpus(target('round-trip'), back);
    expect(pulled.events).toBe(2_500);

    const a = await openCorpusFile(file);
    const b = await openCorpusFile(back);
    const r = await RedisCorpus.open(target('round-trip'));
    try {
      expect(b.chunks.length).toBe(a.chunks.length);
      expect(r.chunks.map((c) => [c.events, c.length, c.minTime, c.maxTime])).toEqual(a.chunks.map((c) => [c.events, c.length, c.minTime, c.maxTime]));
      for (const c of a.chunks) {
        const original = await a.readFramedChunk(c.index);
        expect((await r.readFramedChunk(c.index)).equals(original)).toBe(true);
        expect((await b.readFramedChunk(c.index)).equals(original)).toBe(true);
      }
      expect(await b.verify()).toEqual([]);
      expect(await r.verify()).toEqual([]);
      expect(b.complete && r.complete).toBe(true);
      // The chunk region of the pulled file is the original's, byte for byte (only the file header's creation time differs).
      const fa = readFileSync(file);
      const fb = readFileSync(back);
      const first = a.chunks[0]!.offset;
      const end = a.summary().dataEnd;
      expect(fb.subarray(b.chunks[0]!.offset, b.summary().dataEnd).equals(fa.subarray(first, end))).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), r.close()]);
    }
  });

  it('openCorpus takes a Redis URL + name: same records as the file', async () => {
    await pushCorpus(file, target('same-records'));
    const c = await openCorpus(`${server.url}#same-records`);
    try {
      expect(c.events).toBe(2_500);
      expect(c.name).toBe('same-records');
      let i = 0;
      for await (const rec of c.records()) expect(rec).toEqual(records[i++]);
      expect(i).toBe(2_500);
      expect(await c.recordAt(1234)).toEqual(records[1234]);
    } finally {
      await c.close();
    }
  });

  it('writer: an existing name needs --append or --force; abort removes what this run wrote', async () => {
    const t = target('rules');
    const w = await RedisCorpusWriter.create(t, { chunkEvents: 100 });
    for (const r of records.slice(0, 250)) await w.write(r);
    expect(await w.close()).toMatchObject({ events: 250, chunks: 3, totalEvents: 250 });

    await expect(RedisCorpusWriter.create(t)).rejects.toThrow(/already exists in Redis \(use --append to add to it, or --force to replace it\)/);

    // Append, then abort: the corpus is as before.
    const app = await RedisCorpusWriter.create(t, { append: true, chunkEvents: 100 });
    for (const r of records.slice(250, 600)) await app.write(r);
    await app.abort();
    let c = await RedisCorpus.open(t);
    expect([c.events, c.chunks.length, c.complete]).toEqual([250, 3, true]);
    await c.close();

    // Append for real.
    const app2 = await RedisCorpusWriter.create(t, { append: true, chunkEvents: 100 });
    for (const r of records.slice(250, 400)) await app2.write(r);
    expect(await app2.close()).toMatchObject({ events: 150, totalEvents: 400 });

    // Replace: the old corpus stays readable until the new one is complete; abort keeps the old one.
    const rep = await RedisCorpusWriter.create(t, { overwrite: true, chunkEvents: 100 });
    for (const r of records.slice(0, 120)) await rep.write(r);
    await rep.flush();
    c = await RedisCorpus.open(t);
    expect(c.events).toBe(400);
    await c.close();
    await rep.abort();
    const rep2 = await RedisCorpusWriter.create(t, { overwrite: true, chunkEvents: 100 });
    for (const r of records.slice(0, 120)) await rep2.write(r);
    await rep2.close();
    c = await RedisCorpus.open(t);
    expect([c.events, c.chunks.length]).toEqual([120, 2]);
    await c.close();

    // A new corpus aborted leaves no key behind.
    const gone = await RedisCorpusWriter.create(target('aborted'), { chunkEvents: 100 });
    for (const r of records.slice(0, 350)) await gone.write(r);
    await gone.abort();
    const redis = await connectRedis(target());
    expect(await redis.keys('cfreplay:corpus:{aborted}*')).toEqual([]);
    expect(await redis.zscore('cfreplay:corpora', 'aborted')).toBeNull();
    redis.disconnect();
  });

  it('format versions: a format-1 corpus pushed from a file reads back; appending to it marks it format 2; a newer format is refused', async () => {
    const t = target('formats');
    // The layout-1 fixture (test/fixtures/store/layout1.cfr, format 1), chunk for chunk.
    await pushCorpus(new URL('../../fixtures/store/layout1.cfr', import.meta.url).pathname, t);
    const redis = await connectRedis(target());
    const metaKey = 'cfreplay:corpus:{formats}:meta';
    // push writes this cfreplay's meta; a corpus in Redis written by a format-1 cfreplay said format 1.
    await redis.hset(metaKey, { format: '1', layout: 'columns-v1' });
    let c = await RedisCorpus.open(t);
    expect([c.summary().formatVersion, c.summary().meta['layout'], c.events]).toEqual([1, 'columns-v1', 409]);
    await c.close();

    const app = await RedisCorpusWriter.create(t, { append: true, chunkEvents: 100 });
    for (const r of records.slice(0, 150)) await app.write(r);
    await app.close();
    expect(await redis.hmget(metaKey, 'format', 'layout')).toEqual(['2', 'columns-v2']);
    c = await RedisCorpus.open(t);
    const got = [];
    for await (const r of c.records()) got.push(r);
    await c.close();
    expect(got).toHaveLength(409 + 150);
    expect(got.slice(409)).toEqual(records.slice(0, 150));

    await redis.hset(metaKey, 'format', '3');
    await expect(RedisCorpus.open(t)).rejects.toThrow(/corpus format version 3 is not supported by this cfreplay \(it reads versions 1 to 2\); upgrade cfreplay/);
    redis.disconnect();
  });

  it('ls lists corpora, rm deletes every key of one', async () => {
    await pushCorpus(file, target('to-delete'));
    const before = await listCorpora(target());
    expect(before.find((c) => c.name === 'to-delete')).toMatchObject({ events: 2_500, chunks: 9, complete: true });
    const removed = await deleteCorpus(target('to-delete'));
    expect(removed).toBe(11); // meta + index + 9 chunks
    expect((await listCorpora(target())).some((c) => c.name === 'to-delete')).toBe(false);
    await expect(deleteCorpus(target('to-delete'))).rejects.toThrow(/no such corpus in Redis/);
    await expect(RedisCorpus.open(target('to-delete'))).rejects.toThrow(/#to-delete: no such corpus in Redis \(cfreplay ls redis:\/\/127\.0\.0\.1:\d+\/0 lists them\)/);
  });

  it('replay --corpus <redis-url> (local workers) gives the report of the file', async () => {
    await pushCorpus(file, target('replay-local'));
    // Neither function hangs: a 10 s call budget, so that a call in a worker starved by other
    // processes is not stopped in one run and not the other (the default is 250 ms). Two replays
    // of 2,500 events took past the default 30 s per test on a loaded machine.
    const opts = { oldPath: `${root}examples/spa-rewrite.js`, newPath: `${root}examples/spa-rewrite-v2.js`, workers: 2, timeoutMs: 10_000 };
    const fromFile = await replay({ ...opts, corpus: file });
    const fromRedis = await replay({ ...opts, corpus: `${server.url}#replay-local` });
    expect(fromRedis.events).toBe(2_500);
    expect(fromRedis.corpus.name).toBe('replay-local');
    expect(comparable(fromRedis)).toEqual(comparable(fromFile));
  }, 120_000);

  // Each CLI test runs four to twelve bin/cfreplay processes one after another: a process takes
  // ~0.5 s on a quiet machine and 3-5 s on a loaded one, past the default 30 s per test. What is
  // under test is each process's output and exit code, not how long they take.
  const CLI_TEST_MS = 180_000;
  describe('CLI', () => {
    beforeAll(requireCliBuilt);
    it('push, ls, inspect, cat, pull and rm through bin/cfreplay', async () => {
      const url = `${server.url}#cli`;
      const push = await runCli(['push', file, url]);
      expect(push.code).toBe(0);
      expect(push.stderr).toMatch(/^cfreplay: pushed 2,500 events in 9 chunks \([\d.]+ MB\) to redis:\/\/127\.0\.0\.1:\d+\/0#cli in [\d.]+ s\n$/);
      const again = await runCli(['push', file, url]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/^cfreplay: .*#cli: already exists in Redis/);

      const ls = await runCli(['ls', server.url]);
      expect(ls.code).toBe(0);
      expect(ls.stdout).toMatch(/^NAME\s+EVENTS\s+CHUNKS\s+BYTES\s+CREATED/);
      expect(ls.stdout).toMatch(/\ncli\s+2,500\s+9\s+[\d,]+\s+\d{4}-\d\d-\d\dT/);

      const [inspectRedis, inspectFile] = await Promise.all([runCli(['inspect', url, '--json']), runCli(['inspect', file, '--json'])]);
      expect(inspectRedis.code).toBe(0);
      const a = JSON.parse(inspectRedis.stdout) as Record<string, unknown>;
      const b = JSON.parse(inspectFile.stdout) as Record<string, unknown>;
      for (const k of ['records', 'events', 'methods', 'hosts', 'statusClasses', 'topUris', 'timeRange', 'chunks', 'integrity']) expect(a[k]).toEqual(b[k]);

      const [catRedis, catFile] = await Promise.all([runCli(['cat', url, '--limit', '50']), runCli(['cat', file, '--limit', '50'])]);
      expect(catRedis.code).toBe(0);
      expect(catRedis.stdout).toBe(catFile.stdout);
      expect(catRedis.stdout.split('\n').filter(Boolean)).toHaveLength(50);

      const out = join(tmp, 'cli-pulled.cfr');
      const pull = await runCli(['pull', url, out]);
      expect(pull.code).toBe(0);
      expect(pull.stderr).toMatch(/^cfreplay: pulled 2,500 events in 9 chunks into .*cli-pulled\.cfr/);

      const rm = await runCli(['rm', url]);
      expect(rm.code).toBe(0);
      expect(rm.stderr).toMatch(/^cfreplay: deleted redis:\/\/127\.0\.0\.1:\d+\/0#cli \(11 keys\)\n$/);
      const missing = await runCli(['cat', url]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^cfreplay: redis:\/\/127\.0\.0\.1:\d+\/0#cli: no such corpus in Redis .*\n$/);
    }, CLI_TEST_MS);

    it('record har -o redis://...#name writes the corpus straight to Redis (same events as a file)', async () => {
      const har = `${root}test/fixtures/har/edge-cases.har`;
      const url = `${server.url}#recorded`;
      const rec = await runCli(['record', 'har', har, '-o', url]);
      expect(rec.code).toBe(0);
      expect(rec.stderr).toMatch(/recorded 9 exchanges from 1 input into redis:\/\/127\.0\.0\.1:\d+\/0#recorded/);
      const again = await runCli(['record', 'har', har, '-o', url]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already exists in Redis \(use --append to add to it, or --force to replace it\)/);
      const app = await runCli(['record', 'har', har, '-o', url, '--append', '--quiet']);
      expect(app.code).toBe(0);

      const fileOut = join(tmp, 'recorded.cfr');
      expect((await runCli(['record', 'har', har, '-o', fileOut, '--quiet'])).code).toBe(0);
      const [fromFile, fromRedis] = (await Promise.all([runCli(['cat', fileOut, '--records']), runCli(['cat', url, '--records'])])).map((r) => r.stdout);
      expect(fromRedis).toBe(fromFile + fromFile);

      const noName = await runCli(['record', 'har', har, '-o', server.url]);
      expect(noName.code).toBe(2);
      expect(noName.stderr).toMatch(/^cfreplay: redis:\/\/127\.0\.0\.1:\d+\/0: name the corpus after #, e.g. -o redis:\/\/127\.0\.0\.1:\d+\/0#site\n$/);
    }, CLI_TEST_MS);

    it('a wrong password says so in one line, without printing the password', async () => {
      const secured = await startRedisServer({ password: 's3cret-Pa55' });
      try {
        const wrong = secured.url.replace('s3cret-Pa55', 'hunter2-wrong');
        const r = await runCli(['ls', wrong]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`cfreplay: redis://:***@127.0.0.1:${secured.port}/0: authentication failed: wrong password (the password is not shown)\n`);
        expect(r.stderr + r.stdout).not.toContain('hunter2');
        const none = await runCli(['cat', `redis://127.0.0.1:${secured.port}/0#x`]);
        expect(none.code).toBe(2);
        expect(none.stderr).toMatch(/^cfreplay: redis:\/\/127\.0\.0\.1:\d+\/0: the server requires a password; give it in the URL: redis:\/\/\[user\]:PASSWORD@127\.0\.0\.1:\d+\/0\n$/);
        const rec = await runCli(['record', 'har', `${root}test/fixtures/har/edge-cases.har`, '-o', `${wrong}#x`]);
        expect(rec.code).toBe(2);
        expect(rec.stderr).toMatch(/authentication failed/);
        expect(rec.stderr).not.toContain('hunter2');
        const ok = await runCli(['push', file, `${secured.url}#ok`]);
        expect(ok.code).toBe(0);
        expect(ok.stderr).not.toContain('s3cret');
      } finally {
        await secured.stop();
      }
    }, CLI_TEST_MS);

    it('Redis not reachable: one clear line, exit 2, no hang', async () => {
      const port = await freePort();
      // No hang: the refused connection ends the process about as soon as a usage error that
      // needs no network at all. (A fixed 10 s bound was met by the process start-up alone on
      // a loaded machine; a process start there varies by seconds, a hang or a retry loop is
      // the connect timeout (5 s) or more on top of it.)
      let started = Date.now();
      const bad = await runCli(['ls', 'redis://127.0.0.1:6379/prod']);
      const usageMs = Date.now() - started;
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/"\/prod" is not a database number \(e\.g\. \/0\); name the corpus after #/);
      started = Date.now();
      const r = await runCli(['inspect', `redis://127.0.0.1:${port}/0#x`]);
      const refusedMs = Date.now() - started;
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`cfreplay: redis://127.0.0.1:${port}/0: cannot connect to Redis (connection refused: is redis-server running on 127.0.0.1:${port}?)\n`);
      expect(refusedMs, `refused after ${refusedMs} ms, a usage error after ${usageMs} ms`).toBeLessThan(2 * usageMs + 4_000);
    }, CLI_TEST_MS);
  });
});
