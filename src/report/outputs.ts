/**
 * Writing the human and CI renderings of a replay report (reading one back is
 * results/read.ts). Each renderer is loaded when its format is asked for: a replay
 * writing only JSON (the usual CI run) does not load the HTML report's modules.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../util/user-error.js';
import type { ReplayReport } from '../results/types.js';

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
  // The renderers asked for are loaded before any write starts (no write fails unobserved meanwhile).
  const [html, junit, markdown] = await Promise.all([
    targets.html !== undefined ? import('./html/index.js') : undefined,
    targets.junit !== undefined ? import('./junit.js') : undefined,
    targets.markdown !== undefined ? import('./markdown.js') : undefined,
  ]);
  const jobs: Promise<void>[] = [];
  if (targets.json !== undefined) jobs.push(writeAtomic(targets.json, `${JSON.stringify(report, null, 2)}\n`));
  if (targets.html !== undefined && html !== undefined) jobs.push(writeAtomic(targets.html, html.renderHtml(report)));
  if (targets.junit !== undefined && junit !== undefined) jobs.push(writeAtomic(targets.junit, junit.renderJunit(report)));
  if (targets.markdown !== undefined && markdown !== undefined) {
    const md = markdown.renderMarkdown(report);
    if (targets.markdown === '-') process.stdout.write(md);
    else jobs.push(writeAtomic(targets.markdown, md));
  }
  await Promise.all(jobs);
}
