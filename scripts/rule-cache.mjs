// Reads and checks the built-in rule packs once, at build time, and writes dist/rules-cache.json: the rules with
// their positions and the SHA-256 of every file they came from. Run by `npm run build` after tsc. At run time a
// command takes the built-in rules from it when the files in rules/ still hash the same, and reads the YAML otherwise;
// so an edited rule file is never shadowed by a stale cache. A built-in pack that does not load fails the build.
import {writeFileSync} from 'node:fs'

const {buildRuleCache, RULE_CACHE_FILE} = await import('../dist/src/rules/load.js')
const {formatProblem, RulePackError} = await import('../dist/src/model/errors.js')

try {
  writeFileSync(RULE_CACHE_FILE, `${JSON.stringify(await buildRuleCache())}\n`)
} catch (error) {
  if (!(error instanceof RulePackError)) throw error
  for (const p of error.problems) console.error(formatProblem(p))
  process.exitCode = 1
}
