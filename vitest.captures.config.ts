// The real-capture suite: `npm run test:captures -- <dir>` (see test/captures/run.mjs).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  test: {
    ...base.test,
    include: ['test/captures/**/*.test.ts'],
    exclude: [],
  },
});
