/**
 * Writing the human and CI renderings of a replay report (reading one back is
 * results/read.ts).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../util/user-error.js';
import { renderHtml } from './html/index.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ReplayReport } from '../results/types.js';

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
