import type {Reporter, TestModule} from 'vitest/node'

/** Prints the plain `N passed, N failed` closing line that CI reads (vitest's own summary is not among the runners it knows). */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      let failedHere = 0
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failedHere++
        else skipped++
      }
      // A file that failed without a failed test (an import error, a failing beforeAll that skipped its tests) is a
      // failure too: "0 failed" must never be printed over a red run.
      failed += failedHere === 0 && mod.state() === 'failed' ? 1 : failedHere
    }
    failed += unhandledErrors.length
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
  }
}
