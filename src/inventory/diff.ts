import type {Inventory, Terminal} from '../model.js'

/** The ledger event a change must be matched by when it is handed to the other company. */
export type LedgerKind = 'install' | 'remove' | 'move' | 'reconfigure' | 'replace'

/** One terminal's change between two versions of an inventory, shown like a plan. */
export interface TerminalChange {
  op: '+' | '-' | '~'
  terminal: string
  /** What happened, in the ledger's words. */
  kind: LedgerKind | 'declare'
  changes: {field: string; before?: string; after?: string}[]
  site: string
  zone: string
}

const WATCHED: (keyof Terminal)[] = ['site', 'zone', 'role', 'owner', 'status', 'auth', 'hostname', 'address', 'serial', 'macs']

/** Terminals installed, removed, moved, re-roled, re-owned or otherwise changed from `base` to `head`. */
export function diffInventories(base: Inventory, head: Inventory): TerminalChange[] {
  const before = new Map(base.terminals.map((t) => [t.id, t]))
  const after = new Map(head.terminals.map((t) => [t.id, t]))
  const out: TerminalChange[] = []
  for (const t of head.terminals) {
    const b = before.get(t.id)
    if (!b) {
      out.push({op: '+', terminal: t.id, kind: t.status === 'active' ? 'install' : t.status === 'removed' ? 'remove' : 'declare', changes: describe(t), site: t.site, zone: t.zone})
      continue
    }

    const changes: TerminalChange['changes'] = WATCHED.filter((f) => show(b[f]) !== show(t[f])).map((f) => ({field: f, before: show(b[f]), after: show(t[f])}))
    if (show(b.ssh.host_key) !== show(t.ssh.host_key)) changes.push({field: 'ssh.host_key', before: show(b.ssh.host_key), after: show(t.ssh.host_key)})
    if (changes.length === 0) continue
    out.push({op: t.status === 'removed' && b.status !== 'removed' ? '-' : '~', terminal: t.id, kind: kindOf(b, t), changes, site: t.site, zone: t.zone})
  }

  for (const b of base.terminals) {
    if (!after.has(b.id)) out.push({op: '-', terminal: b.id, kind: 'remove', changes: [], site: b.site, zone: b.zone})
  }

  return out.sort((a, b) => a.terminal.localeCompare(b.terminal))
}

function kindOf(b: Terminal, t: Terminal): TerminalChange['kind'] {
  if (t.status === 'removed' && b.status !== 'removed') return 'remove'
  if (t.status === 'active' && b.status !== 'active') return 'install'
  if (b.site !== t.site || b.zone !== t.zone) return 'move'
  if (b.serial !== t.serial || show(b.ssh.host_key) !== show(t.ssh.host_key) || show(b.macs) !== show(t.macs)) return 'replace'
  return 'reconfigure'
}

function describe(t: Terminal): TerminalChange['changes'] {
  return (['site', 'zone', 'role', 'owner', 'status'] as const).map((f) => ({field: f, after: t[f]}))
}

function show(v: unknown): string {
  if (v === undefined) return ''
  return Array.isArray(v) ? v.join(',') : String(v)
}
