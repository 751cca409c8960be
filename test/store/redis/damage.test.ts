// A damaged corpus in a real redis-server: a corrupt or missing chunk fails
// replay's `completed` gate check (as for a file); push refuses a damaged file
// in one line; pull keeps the good chunks, names the dropped ones and the
// pulled file keeps the loss in its index.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { openCorpusFile } from '../../../src/store/index.js';
import { corpusKeys } from '../../../src/store/redis/keys.js';
import { parseMeta } from '../../../src/store/redis/corpus.js';
import { writeSyntheticCorpus } from '../../helpers/corpus.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { requireCliBuilt, root, runCli } from '../../helpers/cli-process.js';

const fn = `${root}test/fixtures/replay/passthrough.js`;

describe('damaged corpora in Redis', () => {
  beforeAll(requireRedisServer);
  let server: RedisServer;
  let tmp: string;
  let file: string;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    tmp = mkdtempSync(join(tmpdir(), 'cfreplay-redis-damage-'));
    file = await writeSyntheticCorpus(tmp, 1000, 200);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function pushed(name: string): Promise<{ url: string; chunkKey: (i: number) => string }> {
    requireCliBuilt();
    const url = `${server.url}#${name}`;
    const r = await runCli(['push', file, url]);
    expect(r.code).toBe(0);
    const keys = corpusKeys(name);
    const meta = parseMeta(await redis.hgetall(keys.meta))!;
    return { url, chunkKey: (i) => keys.chunk(meta.gen, i) };
  }

  it('replay: a corrupt chunk and a missing chunk both fail the completed check, with the events lost', { timeout: 120_000 }, async () => {
    const { url, chunkKey } = await pushed('damaged');
    const bad = (await redis.getBuffer(chunkKey(1)))!;
    bad.fill(0xff, 100, 108);
    await redis.set(chunkKey(1), bad);
    await redis.del(chunkKey(3));
    const json = join(tmp, 'redis-report.json');
    const r = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', url, '--workers', '1', '--json', json]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/FAIL completed: damaged corpus: 2 damaged region\(s\), 400 events lost/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { events: number; skipped: Record<string, number>; run: { damage: { regions: { kind: string; chunk: number }[] } } };
    expect(report.events).toBe(600);
    expect(report.skipped).toMatchObject({ 'corrupt chunk': 200, 'missing chunk': 200 });
    expect(report.run.damage.regions.map((d) => [d.kind, d.chunk])).toEqual([
      ['corrupt-chunk', 1],
      ['missing-chunk', 3],
    ]);
    const allowed = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', url, '--workers', '1', '--allow-incomplete']);
    expect(allowed.code).toBe(0);

    // pull keeps the good chunks, names the dropped ones, and the pulled file remembers them.
    const out = join(tmp, 'pulled.cfr');
    const pull = await runCli(['pull', url, out]);
    expect(pull.code).toBe(2);
    expect(pull.stderr).not.toMatch(/\n\s+at /);
    expect(pull.stderr).toMatch(/pulled 600 events in 3 chunks/);
    expect(pull.stderr).toMatch(/chunk 1 at byte \d+ dropped \(payload checksum mismatch\): its 200 events are not in/);
    expect(pull.stderr).toMatch(/chunk 3 at byte \d+ dropped \(is missing from Redis.*\): its 200 events are not in/);
    const c = await openCorpusFile(out);
    expect(c.events).toBe(600);
    expect(c.summary().problems.map((p) => [p.kind, p.lostEvents])).toEqual([
      ['dropped', 200],
      ['dropped', 200],
    ]);
    expect(await c.verify()).toEqual([]);
    await c.close();
    const again = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', out, '--workers', '1']);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/FAIL completed: .*400 events lost/);
    const inspect = await runCli(['inspect', out]);
    expect(inspect.code).toBe(2);
    expect(inspect.stdout).toMatch(/chunk 3 at byte \d+ of redis:\/\/.*#damaged was dropped when this copy was made/);
  });

  it('push of a file with a corrupt chunk: one line naming file, chunk and byte offset; nothing is left in Redis', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const bad = join(tmp, 'bad.cfr');
    const bytes = readFileSync(file);
    const c = await openCorpusFile(file);
    const chunk2 = c.chunks[2]!;
    await c.close();
    bytes.fill(0xff, chunk2.offset + 100, chunk2.offset + 108);
    writeFileSync(bad, bytes);
    const r = await runCli(['push', bad, `${server.url}#bad`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`cfreplay: ${bad}: chunk 2 at byte ${chunk2.offset} is corrupt (payload checksum mismatch); nothing was pushed`]);
    expect(await redis.exists(corpusKeys('bad').meta)).toBe(0);
    const cut = join(tmp, 'cut.cfr');
    writeFileSync(cut, bytes.subarray(0, chunk2.offset + 50));
    const r2 = await runCli(['push', cut, `${server.url}#cut`]);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toMatch(/cut.cfr: byte \d+: unfinished recording.*not pushed/);
  });
});
