import type {Finding, Role} from './types.js'
import {
  ACK_STATE_VALUES,
  EVENT_KIND_VALUES,
  type ACK_FIELDS,
  type EVENT_FIELDS,
  type FieldName,
} from './ledger-fields.js'

/** What happened to a terminal. */
export type EventKind = (typeof EVENT_KIND_VALUES)[number]
export const EVENT_KINDS: readonly EventKind[] = EVENT_KIND_VALUES
/** Kinds the receiving company re-checks on the terminal itself (a removal has nothing left to check). */
export const RECHECK_KINDS: readonly EventKind[] = ['install', 'move', 'reconfigure', 'replace']

/** The outcome of the receiving company's re-check. */
export type AckState = (typeof ACK_STATE_VALUES)[number]

/** A ledger event exactly as hashed and handed off (snake_case, like the inventory and facts documents). */
export interface LedgerEvent {
  issuer: string
  seq: number
  kind: EventKind
  terminal: string
  site: string
  zone: string
  /** For a move: where the terminal was before. */
  from_site: string | null
  from_zone: string | null
  role: Role
  owner: string
  /** The identity as installed: pinned host key (`SHA256:`), serial, MACs. */
  host_key: string | null
  serial: string | null
  macs: string[]
  actor: string
  approver: string
  /** Why an actor or approver from outside the issuing company acts for it. */
  delegation: string | null
  /** When it happened, ISO 8601 with an explicit offset. */
  occurred_at: string
  /** When it was recorded, ISO 8601 UTC. */
  recorded_at: string
  note: string | null
  prev_hash: string | null
  hash: string
}

/** An acknowledgement: the acknowledging company's re-check of one event, chained per (acker, issuer). */
export interface LedgerAck {
  acker: string
  /** The company whose event this acknowledges; also the recipient of the acks hand-off. */
  issuer: string
  seq: number
  event_seq: number
  event_hash: string
  state: AckState
  /** The findings of the re-check (all of them; `state` says whether any counted). */
  evidence: Finding[]
  actor: string | null
  checked_at: string
  recorded_at: string
  note: string | null
  prev_hash: string | null
  hash: string
}

/** The latest acknowledgement of an event, as listings and rules see it. */
export interface AckSummary {
  acker: string
  seq: number
  state: AckState
  checked_at: string
  recorded_at: string
  evidence_count: number
}

/** An event with where it came from and its acknowledgement state. */
export interface EventWithState extends LedgerEvent {
  /** Null for events recorded in this database. */
  imported_at: string | null
  /** The event has been handed to the other company: exported from here, or imported here. */
  handed_off: boolean
  ack: AckSummary | null
}

// The record types and their field tables name the same fields (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const eventFieldsMatch: Same<keyof LedgerEvent, FieldName<typeof EVENT_FIELDS>> = true
const ackFieldsMatch: Same<keyof LedgerAck, FieldName<typeof ACK_FIELDS>> = true
void eventFieldsMatch
void ackFieldsMatch
