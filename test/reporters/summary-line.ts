import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after the
 * default reporter's summary: the form CI systems that do not know vitest
 * read to tell a run that tested something from one that tested nothing.
 *
 * A run that went wrong outside a test's own assertions counts as failed too:
 * - a file that failed to load counts one;
 * - a test that never ran because its file's process died (a fork that
 *   aborted: its tests have no result) counts as failed, not skipped;
 * - every unhandled error (such as that abort) counts one.
 * Before, a fork that Node aborted printed "0 failed, 7 skipped".
 */
export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      const broken = mod.state() !== 'passed' && mod.state() !== 'skipped';
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || (state === 'pending' && broken)) failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++; // a file that failed to load
    }
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
