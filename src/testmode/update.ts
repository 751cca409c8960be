/**
 * `--update`: write the current outputs as the expectations (snapshot
 * style), so a suite is migrated in one step. A case keeps its form: a
 * partial case gets its `expect` values refreshed (same paths), a cftest
 * case (or one without expectations) gets `output` and `error` (error left
 * out when empty, as cftest defaults it to ""). The event is kept exactly
 * as written (not completed). Each file keeps its form (one case, an array,
 * JSON lines) and is replaced atomically (temporary file, then rename); a
 * file whose cases did not change is not touched.
 */
import { rename, writeFile } from 'node:fs/promises';
import { functionErrorMessageOf, functionOutputOf } from '../runtime/function-output.js';
import { currentExpect, jsonDiff } from './assert.js';
import type { CaseFile, TestCase } from './cases.js';
import type { CaseResult } from './run-cases.js';

/** The case object with its expectations set to what the run gave. */
export function updatedCase(r: CaseResult): Record<string, unknown> {
  const c: TestCase = r.case;
  const out: Record<string, unknown> = {};
  if (c.name !== undefined) out.name = c.name;
  out.event = c.raw.event;
  if (c.expect !== undefined) out.expect = currentExpect(r.result, c);
  if (c.expect === undefined || c.whole !== undefined) {
    const output = functionOutputOf(r.result);
    if (output !== null) out.output = JSON.parse(JSON.stringify(output)) as unknown;
    const error = functionErrorMessageOf(r.result);
    if (error !== '') out.error = error;
  }
  return out;
}

function render(file: CaseFile, cases: Record<string, unknown>[]): string {
  if (file.form === 'lines') return cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
  return `${JSON.stringify(file.form === 'array' ? cases : cases[0], null, 2)}\n`;
}

/**
 * Rewrite the files whose expectations changed. Returns the files written.
 * `results` must hold a result for every case of every file.
 */
export async function updateCaseFiles(files: readonly CaseFile[], results: readonly CaseResult[]): Promise<{ written: string[]; casesChanged: number }> {
  const byCase = new Map<TestCase, CaseResult>(results.map((r) => [r.case, r]));
  const written: string[] = [];
  let casesChanged = 0;
  for (const file of files) {
    let changed = 0;
    const cases = file.cases.map((c) => {
      const r = byCase.get(c);
      if (r === undefined) throw new Error(`internal: no result for ${c.label}`);
      const next = updatedCase(r);
      if (jsonDiff(next, c.raw).length > 0) changed++; // key order alone is no change
      return next;
    });
    if (changed === 0) continue;
    casesChanged += changed;
    const tmp = `${file.path}.cfreplay-update-${process.pid}.tmp`;
    await writeFile(tmp, render(file, cases));
    await rename(tmp, file.path);
    written.push(file.path);
  }
  return { written, casesChanged };
}
