// Connection (mTLS) events through the distributed replay: a corpus of connection events (several chunks,
// HTTP exchanges among them) pushed to a real redis-server, a worker process, a coordinator replaying two
// connection functions with a revocation list (--kvs): the merged report equals the local one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CorpusRecord, RecordedConnection } from '../../src/event/index.js';
import { createCorpusWriter } from '../../src/store/index.js';
import { parseRedisTarget, pushCorpus } from '../../src/store/redis/index.js';
import { replay } from '../../src/replay/replay.js';
import type { ReplayReport } from '../../src/results/types.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { comparable } from '../helpers/report-compare.js';
import { useRedisCliEnv } from '../helpers/redis-cli-env.js';

/** Written the way AWS's tutorial reads it: only clientCertInfo (completed with the leaf when read). */
function connection(i: number): RecordedConnection {
  const serial = (0xa000 + i).toString(16).toUpperCase();
  return {
    kind: 'connection',
    id: `conn-${i}`,
    time: 1_750_000_000_000 + i,
    source: { file: 'gen', entry: i },
    event: {
      clientCertInfo: {
        serialNumber: serial,
        issuer: i % 4 === 0 ? 'CN=Partner CA,O=Partner' : 'CN=Acme Root CA,O=Acme',
        subject: `CN=device-${i},O=Acme`,
        validity: { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z' },
        sha256Fingerprint: i.toString(16).padStart(64, '0'),
      },
      clientIp: `198.51.${100 + (i % 3)}.${i % 250}`,
      endpoint: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      connectionId: `conn-${i}`,
    },
  };
}

const OLD = `function connectionHandler(connection) {
  if (connection.clientCertificate.certificates.leaf.issuer.indexOf('CN=Acme') === 0 || connection.clientCertInfo.issuer.indexOf('CN=Partner') === 0) connection.allow();
  else connection.deny();
}`;
const NEW = `import cf from 'cloudfront';
async function connectionHandler(connection) {
  if (await cf.kvs().exists(connection.clientCertInfo.serialNumber)) { connection.logCustomData('revoked'); return connection.deny(); }
  if (connection.clientCertInfo.issuer.indexOf('CN=Partner') === 0) return connection.deny();
  return connection.allow();
}`;

describe('replay --distributed of connection functions', () => {
  const env = useRedisCliEnv('conn-dist');

  it('the merged report equals the local one (outcomes, decision and custom-data groups, skipped exchanges)', async () => {
    const { server, tmp } = env;
    const file = join(tmp, 'conn.cfr');
    const w = await createCorpusWriter(file, { chunkEvents: 25 });
    const http = syntheticRecords(10, 5);
    const records: CorpusRecord[] = [];
    for (let i = 0; i < 120; i++) {
      records.push(connection(i));
      if (i % 12 === 0) records.push(http[i / 12]!);
    }
    for (const r of records) await w.write(r);
    await w.close();
    writeFileSync(join(tmp, 'old.js'), OLD);
    writeFileSync(join(tmp, 'new.js'), NEW);
    const kvs = join(tmp, 'revoked.json');
    writeFileSync(kvs, JSON.stringify({ data: [3, 17, 50, 51].map((i) => ({ key: (0xa000 + i).toString(16).toUpperCase(), value: '' })) }));

    const local = await replay({ oldPath: join(tmp, 'old.js'), newPath: join(tmp, 'new.js'), corpus: file, kvsPath: kvs, workers: 1 });
    expect(local.eventType).toBe('connection');
    expect(local.events).toBe(120);
    expect(local.outcomes.new['connection-deny']).toBe(30 + 4);

    const url = `${server.url}#conn`;
    await pushCorpus(file, parseRedisTarget(url));
    env.start(['worker', server.url, '--threads', '1', '--name', 'cw']);
    const out = join(tmp, 'dist.json');
    const coord = env.start(['replay', '--old', join(tmp, 'old.js'), '--new', join(tmp, 'new.js'), '--corpus', url, '--kvs', kvs, '--distributed', '--json', out]);
    const code = await coord.exit;
    expect(coord.stderr()).not.toMatch(/at .*\.js:\d+/);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as ReplayReport;
    expect(report.eventType).toBe('connection');
    expect(comparable(report)).toEqual(comparable(local));
    expect(report.diffs.map((d) => d.routes)).toEqual(local.diffs.map((d) => d.routes));
  }, 120_000);
});
