import {migration as ledger} from './001-ledger.js'
import {migration as history} from './002-history.js'
import {migration as trust} from './003-trust.js'
import {migration as logReviews} from './004-log-reviews.js'
import type {Migration} from './types.js'

export {APPLICATION_ID} from './001-ledger.js'
export {handoffEntryHash} from './003-trust.js'
export type {Migration} from './types.js'

/** Every migration, in order; `MIGRATIONS[i].version === i + 1`. */
export const MIGRATIONS: readonly Migration[] = [ledger, history, trust, logReviews]

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length
