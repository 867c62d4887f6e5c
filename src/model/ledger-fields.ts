/**
 * The one field table of each ledger record: the event, the acknowledgement, the hand-off header, the signed chain
 * head and the signature block. Everything that lists a record's fields is derived from these tables: the SQL column
 * lists and statements, row <-> object conversion, the canonical JSON that is hashed and signed, the hand-off form
 * and its JSON Schema. (Migrations keep their own DDL: they are history, and a test holds the live tables equal to
 * these.) Order matters: it is the order of the SQL columns and of the lines of a hand-off file; the canonical JSON
 * sorts keys itself.
 *
 * The model imports nothing.
 */

/** The form of a field's value; the JSON Schema of a hand-off and the SQL column type follow from it. */
export type FieldKind =
  /** An id of a company, person, terminal, site or zone. */
  | 'id'
  /** A sequence number, >= 1. */
  | 'seq'
  /** A count or a sequence number that may be 0 (an empty chain or list). */
  | 'count'
  /** A SHA-256, lowercase hex. */
  | 'hash'
  /** An ISO 8601 date-time with an explicit offset. */
  | 'time'
  /** Free text: no control characters, bidi overrides or lone surrogates; at most 4,096 characters. */
  | 'text'
  /** One of `values`. */
  | 'enum'
  /** A list of MAC addresses (lowercase, colon-separated), stored as JSON text. */
  | 'macs'
  /** A list of findings (objects), stored as JSON text. */
  | 'findings'
  /** A key fingerprint, `SHA256:` and 43 base64 characters. */
  | 'fingerprint'
  /** A base64 Ed25519 signature. */
  | 'signature'
  /** The format number of a hand-off file. */
  | 'format'

/** One field of a record. */
export interface Field {
  readonly name: string
  readonly kind: FieldKind
  /** The value may be null (SQL: the column allows NULL). */
  readonly nullable?: true
  /** For `enum`: the allowed values. */
  readonly values?: readonly string[]
  /** The hand-off format from which the field is written (and required); files of earlier formats must not have it. */
  readonly since?: number
}

/** What happened to a terminal. */
export const EVENT_KIND_VALUES = ['install', 'remove', 'move', 'reconfigure', 'replace'] as const
export const ROLE_VALUES = ['nw', 'retail'] as const
export const ACK_STATE_VALUES = ['verified', 'rejected'] as const
export const HANDOFF_TYPE_VALUES = ['events', 'acks'] as const

/** The patterns of the string kinds (the shape check compiles them; `text` and `time` are checked by functions). */
export const FIELD_PATTERNS = {
  id: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
  hash: '^[0-9a-f]{64}$',
  mac: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$',
  fingerprint: '^SHA256:[A-Za-z0-9+/]{43}$',
  signature: '^[A-Za-z0-9+/]{86}==$',
} as const

/** A ledger event, in record order; `hash` (last) covers every field before it. */
export const EVENT_FIELDS = [
  {name: 'issuer', kind: 'id'},
  {name: 'seq', kind: 'seq'},
  {name: 'kind', kind: 'enum', values: EVENT_KIND_VALUES},
  {name: 'terminal', kind: 'id'},
  {name: 'site', kind: 'id'},
  {name: 'zone', kind: 'id'},
  {name: 'from_site', kind: 'id', nullable: true},
  {name: 'from_zone', kind: 'id', nullable: true},
  {name: 'role', kind: 'enum', values: ROLE_VALUES},
  {name: 'owner', kind: 'id'},
  {name: 'host_key', kind: 'text', nullable: true},
  {name: 'serial', kind: 'text', nullable: true},
  {name: 'macs', kind: 'macs'},
  {name: 'actor', kind: 'id'},
  {name: 'approver', kind: 'id'},
  {name: 'delegation', kind: 'text', nullable: true},
  {name: 'occurred_at', kind: 'time'},
  {name: 'recorded_at', kind: 'time'},
  {name: 'note', kind: 'text', nullable: true},
  {name: 'prev_hash', kind: 'hash', nullable: true},
  {name: 'hash', kind: 'hash'},
] as const satisfies readonly Field[]

/** An acknowledgement, in record order; `hash` (last) covers every field before it. */
export const ACK_FIELDS = [
  {name: 'acker', kind: 'id'},
  {name: 'issuer', kind: 'id'},
  {name: 'seq', kind: 'seq'},
  {name: 'event_seq', kind: 'seq'},
  {name: 'event_hash', kind: 'hash'},
  {name: 'state', kind: 'enum', values: ACK_STATE_VALUES},
  {name: 'evidence', kind: 'findings'},
  {name: 'actor', kind: 'id', nullable: true},
  {name: 'checked_at', kind: 'time'},
  {name: 'recorded_at', kind: 'time'},
  {name: 'note', kind: 'text', nullable: true},
  {name: 'prev_hash', kind: 'hash', nullable: true},
  {name: 'hash', kind: 'hash'},
] as const satisfies readonly Field[]

/**
 * Columns of the `events` and `acks` tables that are bookkeeping, not part of the record: never hashed, never
 * handed off. NULL for records made in this database; the time a record was imported otherwise.
 */
export const ROW_ONLY_FIELDS = [{name: 'imported_at', kind: 'time', nullable: true}] as const satisfies readonly Field[]

/** A signed chain head, in record order; `signature` (last) covers every field before it. */
export const HEAD_FIELDS = [
  {name: 'signer', kind: 'id'},
  {name: 'chain', kind: 'enum', values: HANDOFF_TYPE_VALUES},
  {name: 'company', kind: 'id'},
  {name: 'about', kind: 'id', nullable: true},
  {name: 'seq', kind: 'count'},
  {name: 'hash', kind: 'hash', nullable: true},
  {name: 'signed_at', kind: 'time'},
  {name: 'key', kind: 'fingerprint'},
  {name: 'signature', kind: 'signature'},
] as const satisfies readonly Field[]

/**
 * The header of a hand-off file, in file order. After it come `heads` (a list of {@link HEAD_FIELDS}), the list
 * named by `type` (`events` or `acks`) and the `signature` block ({@link SIGNATURE_FIELDS}), which covers the
 * canonical JSON of everything else.
 */
export const HANDOFF_HEADER_FIELDS = [
  {name: 'fleet_audit_handoff', kind: 'format'},
  {name: 'type', kind: 'enum', values: HANDOFF_TYPE_VALUES},
  {name: 'issuer', kind: 'id'},
  {name: 'recipient', kind: 'id'},
  {name: 'created_at', kind: 'time'},
  {name: 'first_seq', kind: 'seq'},
  {name: 'last_seq', kind: 'count'},
  {name: 'count', kind: 'count'},
  {name: 'prev_hash', kind: 'hash', nullable: true},
  {name: 'last_hash', kind: 'hash', nullable: true},
] as const satisfies readonly Field[]

/**
 * The signature block of a hand-off file. From format 3 it names the SHA-256 of the canonical JSON of the content
 * (`content_sha256`), and `value` signs the small statement {@link HANDOFF_STATEMENT_FIELDS} instead of the content.
 */
export const SIGNATURE_FIELDS: readonly Field[] = [
  {name: 'algorithm', kind: 'enum', values: ['ed25519']},
  {name: 'key', kind: 'fingerprint'},
  {name: 'content_sha256', kind: 'hash', since: 3},
  {name: 'value', kind: 'signature'},
] as const satisfies readonly Field[]

/**
 * What a format-3 signature signs: the canonical JSON of the header (format, type, sender, recipient, time, seq
 * range, count, end hashes) and `content_sha256`, the SHA-256 of the canonical JSON of the whole content (header,
 * heads and list). The format number is inside, so a format-3 signature never verifies a file relabelled 2 (whose
 * signature covers the content itself) and the reverse; the digest binds the statement to one content.
 */
export const HANDOFF_STATEMENT_FIELDS: readonly Field[] = [
  ...HANDOFF_HEADER_FIELDS,
  {name: 'content_sha256', kind: 'hash'},
] as const satisfies readonly Field[]

/**
 * The format number of the hand-off files this version writes: 3, signed over a statement with the content's
 * SHA-256 (so a 100,000-event list is checked as it is read, without a 60 MB signed buffer); 2 (with the sender's
 * signed chain heads, signed over the whole content) is still read.
 */
export const HANDOFF_FORMAT = 3
/** The formats this version reads. */
export const HANDOFF_FORMATS = [2, 3] as const
/** A format this version reads. */
export type HandoffFormat = (typeof HANDOFF_FORMATS)[number]

/** Fields stored in SQL as JSON text. */
export const isJsonField = (f: Field): boolean => f.kind === 'macs' || f.kind === 'findings'
/** Fields stored in SQL as INTEGER. */
export const isIntegerField = (f: Field): boolean => f.kind === 'seq' || f.kind === 'count' || f.kind === 'format'

/** The field names of a table, as a type (for compile-time checks that a record type and its table agree). */
export type FieldName<T extends readonly Field[]> = T[number]['name']
