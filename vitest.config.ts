import {availableParallelism} from 'node:os'

import {defineConfig} from 'vitest/config'

/**
 * Suites that start real sshd fleets (test/e2e, over test/lab) or Chromium (test/browser) run one file at a time, after
 * the others, so that their timeouts mean bugs, not load. Everything else runs on every core: commands run in-process
 * (test/support/in-process.ts) and each file has its own temporary folders.
 */
const REAL = ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts']
const timeouts = {testTimeout: 60_000, hookTimeout: 120_000}

export default defineConfig({
  test: {
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    projects: [
      // vitest's default is one worker less than the cores: a single one on a 2-core machine.
      {
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: REAL,
          maxWorkers: Math.max(2, availableParallelism()),
          ...timeouts,
        },
      },
      {test: {name: 'real', include: REAL, fileParallelism: false, ...timeouts}},
    ],
  },
})
