// The distributed run's stop rule is the local pool's: a function that hangs on a few of many
// events is replayed to the end (those events are timeouts), one that hangs on most events
// stops the run. The coordinator stopped at `maxStoppedCalls` alone. Real redis-server, the
// coordinator in this process, a `cfreplay worker` process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayDistributed } from '../../src/distributed/coordinator.js';
import { replay } from '../../src/replay/replay.js';
import { pushSyntheticCorpus } from '../helpers/corpus.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { useRedisCliEnv } from '../helpers/redis-cli-env.js';
import { root } from '../helpers/cli-process.js';

const PASS = `${root}test/fixtures/replay/passthrough.js`;
const HANG_ON_SEARCH = `${root}test/fixtures/replay/hang-on-search.js`;
const EVENTS = 120;
const CHUNK = 30;
const SEED = 5;

describe('replay --distributed: when stopped calls stop the run', () => {
  const env = useRedisCliEnv('dist-stop', { killAfterEach: true });
  let url: string;
  let file: string;
  const worker = (name: string) => env.start(['worker', env.server.url, '--threads', '1', '--name', name, '--exit-when-idle', '20s']);

  beforeAll(async () => {
    url = `${env.server.url}#stop`;
    file = await pushSyntheticCorpus(env.tmp, url, EVENTS, CHUNK, SEED);
  }, 120_000);

  it('a function that hangs on a few of many events (more than maxStoppedCalls) is replayed to the end, as locally', async () => {
    const searches = syntheticRecords(EVENTS, SEED).filter((r) => r.request.uri === '/search').length;
    expect(searches).toBeGreaterThan(2);
    expect(searches * 2).toBeLessThan(EVENTS);
    worker('w1');
    const report = await replayDistributed({ oldPath: PASS, newPath: HANG_ON_SEARCH, corpus: url, timeoutMs: 150, maxStoppedCalls: 2 });
    expect(report.run.stoppedEarly).toBeFalsy();
    expect(report.events).toBe(EVENTS);
    expect(report.outcomes.new['timeout']).toBe(searches);
    const local = await replay({ oldPath: PASS, newPath: HANG_ON_SEARCH, corpus: file, workers: 1, timeoutMs: 150, maxStoppedCalls: 2 });
    expect(local.run.stoppedEarly).toBeFalsy();
    expect(local.outcomes.new['timeout']).toBe(searches);
  }, 150_000);

  it('a function that hangs on every event stops the run once the stopped calls pass maxStoppedCalls', async () => {
    const hang = join(env.tmp, 'hang.js');
    writeFileSync(hang, 'function handler(event) { while (true) {} }');
    worker('w2');
    const report = await replayDistributed({ oldPath: PASS, newPath: hang, corpus: url, timeoutMs: 100, maxStoppedCalls: 2 });
    expect(report.run.stoppedEarly).toMatch(/function calls were stopped .*: the function seems to hang/);
  }, 150_000);
});
