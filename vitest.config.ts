import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real captures are a separate suite: npm run test:captures -- <dir>
    exclude: [...configDefaults.exclude, 'test/captures/**'],
    // Builds dist/ when src/ is newer: workers and the CLI load dist/, never old code.
    globalSetup: ['./test/setup/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/reporters/summary-line.ts'],
  },
});
