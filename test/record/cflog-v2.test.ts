// CloudFront standard logging v2: JSON, plain text, W3C (tab or space) and Parquet, gzip or not,
// any field selection and order, give the same events as the legacy log of the same requests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RecordedExchange } from '../../src/event/index.js';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openCflogSource } from '../../src/record/cflog/cflog-source.js';
import { EVENT_FIELDS, generateRequests, legacyLog, shuffled, v2Json, v2Parquet, v2Text } from '../helpers/cflog-v2-gen.js';
import { useTempDir } from '../helpers/tmp.js';

const requests = generateRequests(120);

async function record(path: string, fields?: string[]) {
  const sink = new MemorySink();
  const summary = await runRecording([await openCflogSource(path, fields !== undefined ? { fields } : {})], sink);
  return { summary, records: sink.records };
}

/** The event a function receives, without the recorder's own bookkeeping (source line and the id hashed from it). */
function asEvents(records: readonly RecordedExchange[]) {
  return records.map(({ id: _id, source: _source, ...event }) => event);
}

/** Reasons and counts, without the first example (it names the file and line). */
function counts(reasons: readonly { reason: string; count: number }[]) {
  return reasons.map(({ reason, count }) => ({ reason, count }));
}

describe('record cflog: standard logging v2', () => {
  const tmp = useTempDir();
  const write = (name: string, content: string | Uint8Array) => {
    const p = join(tmp.path, name);
    writeFileSync(p, content);
    return p;
  };

  async function legacy() {
    return record(write('legacy.log', legacyLog(requests)));
  }

  it('the legacy log of the generated requests has what the comparisons need', async () => {
    const { records, summary } = await legacy();
    expect(summary.recordsWritten).toBe(106);
    expect(counts(summary.skipped.reasons)).toEqual([{ reason: 'invalid URL', count: 14 }]); // the path /a%20b
    expect(records.some((r) => r.response === undefined)).toBe(true); // status 000 and "-"
    expect(records.some((r) => Object.keys(r.request.cookies).length > 0)).toBe(true);
    expect(records.some((r) => r.viewerIp === '2001:db8::1')).toBe(true);
  });

  const cases: { name: string; file: () => { path: string; fields?: string[] }; format: string; compression?: string }[] = [
    { name: 'JSON, fields in another order', file: () => ({ path: write('v2.json', v2Json(requests, shuffled(EVENT_FIELDS, 3))) }), format: 'CloudFront standard log v2 (JSON)' },
    {
      name: 'JSON gzip-compressed, every legacy field',
      file: () => ({ path: write('v2.json.gz', gzipSync(v2Json(requests, shuffled(EVENT_FIELDS.concat(['x-edge-location', 'sc-bytes', 'time-taken']), 5)))) }),
      format: 'CloudFront standard log v2 (JSON)',
      compression: 'gzip',
    },
    {
      name: 'W3C with a space delimiter',
      file: () => ({ path: write('v2-space.log', v2Text(requests, shuffled(EVENT_FIELDS, 7), ' ', true)) }),
      format: 'CloudFront standard log v2 (W3C, space separated)',
    },
    {
      name: 'plain text (no header) with --fields, tab delimiter',
      file: () => {
        const fields = shuffled(EVENT_FIELDS, 9);
        return { path: write('v2-plain.log', v2Text(requests, fields, '\t', false)), fields };
      },
      format: 'CloudFront standard log v2 (plain text)',
    },
    {
      name: 'plain text gzip-compressed with a space delimiter',
      file: () => {
        const fields = shuffled(EVENT_FIELDS, 13);
        return { path: write('v2-plain.log.gz', gzipSync(v2Text(requests, fields, ' ', false))), fields };
      },
      format: 'CloudFront standard log v2 (plain text, space separated)',
      compression: 'gzip',
    },
    {
      name: 'Parquet (Snappy, several row groups, typed status and length)',
      file: () => ({ path: write('v2.parquet', v2Parquet(requests, shuffled(EVENT_FIELDS, 17), { rowGroupSize: 32 })) }),
      format: 'CloudFront standard log v2 (Parquet)',
    },
    {
      name: 'Parquet (GZIP codec, timestamp(ms) instead of date and time)',
      file: () => ({ path: write('v2-ts.parquet', v2Parquet(requests, shuffled(EVENT_FIELDS, 19), { codec: 'GZIP', timestampMs: true })) }),
      format: 'CloudFront standard log v2 (Parquet)',
    },
    {
      name: 'Parquet file gzip-compressed as a whole',
      file: () => ({ path: write('v2.parquet.gz', gzipSync(v2Parquet(requests, EVENT_FIELDS, { codec: 'UNCOMPRESSED' }))) }),
      format: 'CloudFront standard log v2 (Parquet)',
      compression: 'gzip',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the same events as the legacy log, the format named in the summary`, async () => {
      const expected = await legacy();
      const { path, fields } = c.file();
      const got = await record(path, fields);
      expect(asEvents(got.records)).toEqual(asEvents(expected.records));
      expect(counts(got.summary.skipped.reasons)).toEqual(counts(expected.summary.skipped.reasons));
      expect(counts(got.summary.noViewerResponse.reasons)).toEqual(counts(expected.summary.noViewerResponse.reasons));
      const info = got.summary.sources[0]!.info;
      expect(info.format).toBe(c.format);
      expect(info.compression).toBe(c.compression);
    });
  }

  it('a space-separated v2 log recorded in worker threads gives the records of the main thread', async () => {
    const path = write('v2-space-workers.log', v2Text(generateRequests(1500, 5), shuffled(EVENT_FIELDS, 23), ' ', true));
    const run = async (workers: number) => {
      const sink = new MemorySink();
      await runRecording([await openCflogSource(path)], sink, { workers, chunkEvents: 97 });
      return sink.records;
    };
    const main = await run(0);
    expect(main.length).toBeGreaterThan(1000);
    expect(JSON.stringify(await run(2))).toBe(JSON.stringify(main));
  });

  it('a legacy tab-separated W3C log is still named as before', async () => {
    const { summary } = await legacy();
    expect(summary.sources[0]!.info.format).toBe('CloudFront standard access log');
  });

  it('a JSON line that is not an object stops the recording with file and line (exit 2 error)', async () => {
    const lines = v2Json(requests.slice(0, 5), EVENT_FIELDS).split('\n');
    lines[3] = lines[3]!.slice(0, 40);
    const path = write('broken.json', lines.join('\n'));
    await expect(record(path)).rejects.toThrow(new RegExp(`^${path}: line 4: not valid JSON`));
    const arr = write('array.json', `${lines[0]}\n[1,2]\n`);
    const e = await record(arr).catch((x: Error & { userFacing?: boolean }) => x);
    expect(e.message).toBe(`${arr}: line 2: expected a JSON object (one log record per line), found an array`);
    expect(e.message).not.toContain('\n');
  });

  it('a JSON log without cs-uri-stem is refused naming the line', async () => {
    const path = write('nostem.json', v2Json(requests.slice(0, 2), ['date', 'time', 'c-ip']));
    await expect(record(path)).rejects.toThrow(/nostem\.json: line 1: the field list has no cs-uri-stem/);
  });

  it('a damaged Parquet file names the file, or the row group that cannot be read', async () => {
    const good = v2Parquet(requests, EVENT_FIELDS, { rowGroupSize: 40, codec: 'UNCOMPRESSED' });
    const cut = write('cut.parquet', good.subarray(0, good.length - 20));
    await expect(openCflogSource(cut)).rejects.toThrow(/cut\.parquet: not a readable Parquet file/);
    // Overwrite the pages of the second row group with garbage, footer intact.
    const { parquetMetadata } = await import('hyparquet');
    const meta = parquetMetadata(good.buffer.slice(good.byteOffset, good.byteOffset + good.byteLength) as ArrayBuffer);
    const col = meta.row_groups[1]!.columns[0]!.meta_data!;
    const damaged = Uint8Array.from(good);
    damaged.fill(0xff, Number(col.data_page_offset), Number(col.data_page_offset) + 64);
    const path = write('damaged.parquet', damaged);
    const e = await record(path).catch((x: Error) => x);
    expect(e.message).toMatch(new RegExp(`^${path}: row group 2 of 3 \\(rows 41-80\\): cannot be read`));
    expect(e.message).not.toContain('\n');
  });
});
