import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e suites start real sshd fleets; run files one at a time on 2 cores so timeouts mean bugs, not load.
    fileParallelism: false,
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
  },
})
