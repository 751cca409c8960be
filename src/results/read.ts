/**
 * Reading a JSON report back (`cfreplay report`, `cfreplay show`), with a
 * structural check of schema "cfreplay-report/1" that names the first field
 * that is wrong.
 */
import { readFile } from 'node:fs/promises';
import { inputFileMessage } from '../util/input-file.js';
import { UserError } from '../util/user-error.js';
import { REPORT_SCHEMA, type ReplayReport } from './types.js';

type Check = (v: unknown, at: string) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num: Check = (v, at) => (typeof v === 'number' && !Number.isNaN(v) ? undefined : `${at} must be a number`);
const str: Check = (v, at) => (typeof v === 'string' ? undefined : `${at} must be a string`);
const bool: Check = (v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false`);
const optional = (c: Check): Check => (v, at) => (v === undefined ? undefined : c(v, at));
const oneOf = (...xs: string[]): Check => (v, at) => (typeof v === 'string' && xs.includes(v) ? undefined : `${at} must be one of ${xs.join(', ')}`);
const counts: Check = (v, at) => {
  if (!isObj(v)) return `${at} must be an object of counts`;
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'number') return `${at}.${k} must be a number`;
  return undefined;
};
const obj =
  (shape: Record<string, Check>): Check =>
  (v, at) => {
    if (!isObj(v)) return `${at} must be an object`;
    for (const [k, c] of Object.entries(shape)) {
      const err = c(v[k], at === '' ? k : `${at}.${k}`);
      if (err !== undefined) return err;
    }
    return undefined;
  };
const arr =
  (item: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at} must be an array`;
    for (let i = 0; i < v.length; i++) {
      const err = item(v[i], `${at}[${i}]`);
      if (err !== undefined) return err;
    }
    return undefined;
  };

const example = obj({ eventId: str, position: num, method: str, uri: str, old: optional(str), new: optional(str) });
const percentile = obj({ old: num, new: num, ratio: num, significant: bool });
const stats = obj({ count: num, min: num, mean: num, stddev: num, p50: num, p90: num, p99: num, p999: num, max: num });
const fn = obj({ path: str, sha256: str, runtime: str, bytes: num });
const sampleRun = obj({ outcome: str, error: optional(str), logs: arr(str), durationNs: num });
const errorGroup = obj({ outcome: str, message: str, count: num, examples: arr(example) });

const reportShape = obj({
  tool: obj({ name: str, version: str }),
  createdAt: str,
  corpus: obj({ name: str, location: str, records: num }),
  eventType: str,
  functions: obj({ old: fn, new: fn }),
  options: obj({ workers: num, ignore: arr(str), timeoutMs: num, maxDiffRate: optional(num), maxLatencyRatio: optional(num), allowIncomplete: optional(bool) }),
  events: num,
  changed: num,
  unchanged: num,
  noiseOnly: num,
  skipped: counts,
  outcomes: obj({ old: counts, new: counts }),
  outcomeTransitions: arr(obj({ from: str, to: str, count: num })),
  diffs: arr(
    obj({
      id: str,
      path: str,
      kind: oneOf('added', 'removed', 'changed', 'ordering', 'outcome'),
      risk: oneOf('high', 'medium', 'low'),
      signature: str,
      count: num,
      share: num,
      routes: arr(obj({ route: str, count: num })),
      examples: arr(example),
    }),
  ),
  diffsTruncated: optional(obj({ groups: num, events: num })),
  noise: arr(obj({ path: str, kind: str, count: num, noisyCount: num, examples: arr(example) })),
  errors: obj({ old: arr(errorGroup), new: arr(errorGroup) }),
  latency: obj({
    old: stats,
    new: stats,
    comparison: obj({ pValue: num, probabilityNewSlower: num, p50: percentile, p90: percentile, p99: percentile, p999: percentile, max: percentile, mean: percentile }),
    histograms: obj({ old: str, new: str }),
  }),
  samples: arr(obj({ eventId: str, position: num, old: sampleRun, new: sampleRun })),
  gate: obj({ passed: bool, checks: arr(obj({ name: str, passed: bool, message: str, actual: optional(num), limit: optional(num) })) }),
  run: obj({
    durationMs: num,
    eventsPerSecond: num,
    firstEventMs: optional(num),
    startupMs: optional(num),
    stoppedEarly: optional(str),
    problems: arr(str),
    damage: optional(obj({ lostEvents: num, lostEventsKnown: bool, regions: arr(obj({ kind: str, chunk: optional(num), offset: optional(num), message: str, lostEvents: optional(num) })) })),
  }),
});

/** Check that a parsed JSON value is a report of this schema; the message names the first wrong field. */
export function validateReport(value: unknown, file: string): ReplayReport {
  if (!isObj(value)) throw new UserError(`${file}: not a cfreplay report (expected a JSON object)`);
  if (value.schema !== REPORT_SCHEMA) {
    throw new UserError(`${file}: not a ${REPORT_SCHEMA} report (schema is ${value.schema === undefined ? 'missing' : JSON.stringify(value.schema)})`);
  }
  const err = reportShape(value, '');
  if (err !== undefined) throw new UserError(`${file}: not a valid ${REPORT_SCHEMA} report: ${err}`);
  return value as unknown as ReplayReport;
}

/** The parsed JSON of a report file, not yet checked (`show` checks only what it reads). */
export async function readReportJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(inputFileMessage(file, err, 'JSON report'));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UserError(`${file}: not JSON (${(err as Error).message.split('\n')[0]}); expected a report written by cfreplay replay --json`);
  }
}

/** Read and check a JSON report (`cfreplay replay --json`). */
export async function readReport(file: string): Promise<ReplayReport> {
  return validateReport(await readReportJson(file), file);
}
