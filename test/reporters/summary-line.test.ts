// The plain closing line CI systems read (summary-line.ts): a fork that died mid-file is a
// failure there, not "0 failed, N skipped" (what CI's log said when Node aborted a fork).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

it('a file whose fork dies: its tests without a result and the unhandled error count as failed; exit 1', async () => {
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/reporter/vitest.config.ts'], { cwd: root, timeout: 60_000 }, (error, out) =>
      resolve({ code: error === null ? 0 : ((error as Error & { code?: number }).code ?? null), stdout: out }),
    );
  });
  expect(code).toBe(1);
  // passes.fixture.ts: 1 passed; fork-dies.fixture.ts: 3 tests with no result + 1 unhandled error, 1 skipped.
  expect(stdout).toContain('Tests: 1 passed, 4 failed, 1 skipped');
}, 60_000);
