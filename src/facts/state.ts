import type {Facts, FactsProblem} from '../model/types.js'

/**
 * How far a document's `collected_at` may lie ahead of "now": the collecting machine's clock and the auditing one's
 * differ a little. Beyond this, the document is not evidence of anything (a wrong clock, or a forged file).
 */
const CLOCK_SKEW_MS = 5 * 60_000

/**
 * What a terminal's facts can tell the rules: `ok` (collected and usable), `failed` (a valid document saying why the
 * terminal could not be collected), `invalid` (a document that cannot be trusted) or `missing`. Only `ok` lets the
 * rules that compare facts with the declaration be evaluated; anything else is reported as not checked.
 */
export type FactsState =
  | {kind: 'ok'; facts: Facts}
  | {kind: 'failed'; facts: Facts; reason: string}
  | {kind: 'invalid'; file: string; reason: string}
  | {kind: 'missing'; reason: string}

/** The one place that decides whether a terminal's facts are usable. */
export function factsState(facts: Facts | undefined, problem: FactsProblem | undefined, now: Date): FactsState {
  if (problem) return {kind: 'invalid', file: problem.file, reason: `${problem.file}: ${problem.message}`}
  if (!facts) return {kind: 'missing', reason: 'no facts were collected for this terminal'}
  const file = (facts as Facts & {file?: string}).file ?? ''
  const ahead = Date.parse(facts.collected_at) - now.getTime()
  if (ahead > CLOCK_SKEW_MS) {
    const reason = `collected_at ${facts.collected_at} is later than now (${now.toISOString()}) by more than the ${CLOCK_SKEW_MS / 60_000}-minute clock-skew allowance`
    return {kind: 'invalid', file, reason: file ? `${file}: ${reason}` : reason}
  }

  if (facts.outcome !== 'ok') return {kind: 'failed', facts, reason: facts.error?.reason ?? facts.outcome}
  return {kind: 'ok', facts}
}
