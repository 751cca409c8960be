// Redis URLs and secrets against a real redis-server with a password: no
// message ever shows the password (mistyped schemes included), a "%" in it is
// explained, REDISCLI_AUTH supplies it, a database index out of range is an
// error, and Redis killed in the middle of a push is one line and exit 2.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisTarget, maskPassword } from '../../../src/store/redis/index.js';
import { createCorpusWriter } from '../../../src/store/index.js';
import { syntheticRecords } from '../../helpers/synthetic.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { requireCliBuilt, runCli, startCli } from '../../helpers/cli-process.js';

const PASSWORD = 'Sup3r-s3cret';

describe('Redis secrets', () => {
  beforeAll(requireRedisServer);
  let server: RedisServer;
  let tmp: string;
  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD });
    tmp = mkdtempSync(join(tmpdir(), 'cfreplay-secrets-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('maskPassword hides credentials of mistyped URLs too', () => {
    for (const t of [`redis:/:${PASSWORD}@h`, `http://:${PASSWORD}@h:1/0`, `redis://u:${PASSWORD}@h`, `redis://u:p@${PASSWORD}@h/0#x`, `:${PASSWORD}@h`, `x "rediss://:${PASSWORD}@h"`]) {
      expect(maskPassword(t)).not.toContain(PASSWORD.slice(3));
    }
    expect(maskPassword('redis://h:6379/0#prod')).toBe('redis://h:6379/0#prod');
    expect(maskPassword('mail user@example.com')).toBe('mail user@example.com');
    expect(() => parseRedisTarget(`redis://:a%zz${PASSWORD}@h/0`)).toThrow(/write "%" as %25/);
  });

  it('no command prints the password: mistyped schemes, a bad %, a wrong password, a bad db; REDISCLI_AUTH works', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const hp = `127.0.0.1:${server.port}`;
    const cases: [string[], RegExp][] = [
      [['ls', `redis:/:${PASSWORD}@${hp}/0`], /expected a Redis URL/],
      [['ls', `http://:${PASSWORD}@${hp}/0`], /expected a Redis URL/],
      [['push', join(tmp, 'x.cfr'), `redis:/:${PASSWORD}@${hp}/0#x`], /must be a Redis URL/],
      [['cat', `redis:/:${PASSWORD}@${hp}/0#x`], /.+/],
      [['ls', `redis://:${PASSWORD}%zz@${hp}/0`], /has a "%" that is not a %XX escape: write "%" as %25/],
      [['ls', `redis://:wrong${PASSWORD}@${hp}/0`], /authentication failed: wrong password \(the password is not shown\)/],
      [['ls', `redis://:${encodeURIComponent(PASSWORD)}@${hp}/99`], /database 99 does not exist on this server/],
      [['record', 'har', '-', '-o', `redis:/:${PASSWORD}@${hp}/0#x`], /.+/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect({ args: args.join(' '), code: r.code }).toEqual({ args: args.join(' '), code: 2 });
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/URIError|\n\s+at /);
    }
    const env = await (async () => {
      const run = startCli(['ls', `redis://${hp}/0`], { env: { REDISCLI_AUTH: PASSWORD } });
      return { code: await run.exit, out: run.stdout(), err: run.stderr() };
    })();
    expect(env.code).toBe(0);
    expect(env.out).toMatch(/no corpus in redis:\/\/:\*\*\*@127\.0\.0\.1/);
    const noAuth = await runCli(['ls', `redis://${hp}/0`]);
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toMatch(/requires a password/);
  });

  it('Redis killed in the middle of a push: one line, exit 2, no listener-leak warning', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const file = join(tmp, 'big.cfr');
    const w = await createCorpusWriter(file, { chunkEvents: 4 });
    for (const r of syntheticRecords(40_000, 5)) await w.write(r);
    await w.close();
    const victim = await startRedisServer();
    try {
      const run = startCli(['push', file, `${victim.url}#big`, '--progress']);
      const deadline = Date.now() + 60_000;
      while (!/push [1-9]\d*\/10000 chunks/.test(run.stderr())) {
        if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`push did not start: ${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await victim.kill();
      const code = await run.exit;
      // eslint-disable-next-line no-control-regex -- the progress line's erase-to-end escape
      const plain = run.stderr().replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      const lines = plain.split(/[\r\n]+/).map((l) => l.trim()).filter((l) => l !== '' && !/^push \d+\/\d+ chunks$/.test(l));
      expect({ code, stderr: plain.slice(-300) }).toMatchObject({ code: 2 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^cfreplay: redis:\/\/127\.0\.0\.1:\d+\/0: (lost the connection to Redis|cannot connect to Redis|cannot reach Redis)/);
      expect(run.stderr()).not.toMatch(/MaxListenersExceededWarning|\n\s+at /);
    } finally {
      await victim.stop().catch(() => undefined);
    }
  });
});
