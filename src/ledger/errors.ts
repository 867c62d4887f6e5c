import {InputError, type Problem} from '../model/errors.js'

/**
 * A ledger input that cannot be used: an unknown reference, a refused hand-off file, a database this code cannot
 * open. Like every InputError it means exit 2; tampering found by `verifyLedger` is a result, not an error.
 */
export class LedgerError extends InputError {
  constructor(problems: Problem | Problem[]) {
    super(Array.isArray(problems) ? problems : [problems])
  }
}

/** Shorthand for a single-problem LedgerError. */
export function ledgerError(code: string, message: string, extra: Omit<Problem, 'code' | 'message'> = {}): LedgerError {
  return new LedgerError({code, message, ...extra})
}
