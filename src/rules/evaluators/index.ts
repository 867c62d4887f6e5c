import type {Evaluator} from '../types.js'
import {waiverFindings} from '../waivers.js'
import {changeWithoutEvent} from './change-without-event.js'
import {duplicateIdentity} from './duplicate-identity.js'
import {undeclaredFacts} from './undeclared-facts.js'

/** The named cross-terminal evaluators a rule pack may refer to with `evaluator:`. */
export const evaluators: Record<string, Evaluator> = {
  'change-without-event': changeWithoutEvent,
  'duplicate-identity': duplicateIdentity,
  'undeclared-facts': undeclaredFacts,
  'waiver-expired': (input) => waiverFindings('waiver/expired', input, input.rules),
  'waiver-too-long': (input) => waiverFindings('waiver/too-long', input, input.rules),
  'waiver-approver-not-nw': (input) => waiverFindings('waiver/approver-not-nw', input, input.rules),
}
