import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real captures are a separate suite: npm run test:captures -- <dir>
    exclude: [...configDefaults.exclude, 'test/captures/**'],
    // Builds dist/ when src/ is newer: workers and the CLI load dist/, never old code.
    globalSetup: ['./test/setup/build-dist.ts'],
    // Hang guards, not timings: on a loaded 2-core machine (other suites, CPU hogs) a test that
    // starts a few CLI processes (seconds each there) ran past 30 s and failed while it passed
    // alone. What a test measures has its own bound in the test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/reporters/summary-line.ts'],
  },
});
