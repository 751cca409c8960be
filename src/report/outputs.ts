/**
 * Writing the human and CI renderings of a replay report, and reading a JSON
 * report back (`cfreplay report <report.json>`), with a structural check that
 * names the first field that is wrong.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../util/user-error.js';
import { renderHtml } from './html/index.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { REPORT_SCHEMA, type ReplayReport } from '../results/types.js';
import { inputFileMessage } from '../util/input-file.js';

export { renderHtml } from './html/index.js';
export { renderJunit } from './junit.js';
export { renderMarkdown } from './markdown.js';

export interface ReportTargets {
  json?: string;
  html?: string;
  markdown?: string;
  junit?: string;
}

/** Write a file whole or not at all: a temporary file next to it, renamed over it. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`cannot write ${path}: ${e.code ?? e.message}`);
  }
}

/**
 * Render the report in each requested format and write it (parent
 * directories are created). "-" writes Markdown to stdout.
 */
export async function writeReportOutputs(report: ReplayReport, targets: ReportTargets): Promise<void> {
  const jobs: Promise<void>[] = [];
  if (targets.json !== undefined) jobs.push(writeAtomic(targets.json, `${JSON.stringify(report, null, 2)}\n`));
  if (targets.html !== undefined) jobs.push(writeAtomic(targets.html, renderHtml(report)));
  if (targets.junit !== undefined) jobs.push(writeAtomic(targets.junit, renderJunit(report)));
  if (targets.markdown !== undefined) {
    const md = renderMarkdown(report);
    if (targets.markdown === '-') process.stdout.write(md);
    else jobs.push(writeAtomic(targets.markdown, md));
  }
  await Promise.all(jobs);
}

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

/** Read and check a JSON report (`cfreplay replay --json`). */
export async function readReport(file: string): Promise<ReplayReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(inputFileMessage(file, err, 'JSON report'));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not JSON (${(err as Error).message.split('\n')[0]}); expected a report written by cfreplay replay --json`);
  }
  return validateReport(value, file);
}
