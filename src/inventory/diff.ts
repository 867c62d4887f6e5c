import type {Inventory, Terminal} from '../model/types.js'

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

const WATCHED: (keyof Terminal)[] = [
  'site',
  'zone',
  'role',
  'owner',
  'status',
  'auth',
  'hostname',
  'address',
  'serial',
  'macs',
]

/** Terminals installed, removed, moved, re-roled, re-owned or otherwise changed from `base` to `head`. */
export function diffInventories(base: Inventory, head: Inventory): TerminalChange[] {
  const before = new Map(base.terminals.map((t) => [t.id, t]))
  const after = new Map(head.terminals.map((t) => [t.id, t]))
  const out: TerminalChange[] = []
  for (const t of head.terminals) {
    const b = before.get(t.id)
    if (!b) {
      out.push({
        op: '+',
        terminal: t.id,
        kind: t.status === 'active' ? 'install' : t.status === 'removed' ? 'remove' : 'declare',
        changes: describe(t),
        site: t.site,
        zone: t.zone,
      })
      continue
    }

    const changes: TerminalChange['changes'] = WATCHED.filter((f) => show(b[f]) !== show(t[f])).map((f) => ({
      field: f,
      before: show(b[f]),
      after: show(t[f]),
    }))
    // How the terminal is reached and read matters as much as where it stands: a probe redirected to another file
    // would report whatever that file says.
    for (const key of ['host_key', 'user', 'port', 'profile'] as const) {
      if (show(b.ssh[key]) !== show(t.ssh[key]))
        changes.push({field: `ssh.${key}`, before: show(b.ssh[key]), after: show(t.ssh[key])})
    }

    const probeBefore = probeOf(base, b)
    const probeAfter = probeOf(head, t)
    if (b.ssh.profile === t.ssh.profile && probeBefore !== probeAfter)
      changes.push({field: `profile ${t.ssh.profile} paths`, before: probeBefore, after: probeAfter})
    if (changes.length === 0) continue
    out.push({
      op: t.status === 'removed' && b.status !== 'removed' ? '-' : '~',
      terminal: t.id,
      kind: kindOf(b, t),
      changes,
      site: t.site,
      zone: t.zone,
    })
  }

  for (const b of base.terminals) {
    if (!after.has(b.id)) out.push({op: '-', terminal: b.id, kind: 'remove', changes: [], site: b.site, zone: b.zone})
  }

  return out.sort((a, b) => a.terminal.localeCompare(b.terminal))
}

/** The files a terminal's probe reads, as declared (built-in profiles read their fixed files). */
function probeOf(inv: Inventory, t: Terminal): string {
  const declared = inv.profiles.find((p) => p.name === t.ssh.profile)
  return declared ? JSON.stringify(declared.paths ?? {}) : 'built-in'
}

function kindOf(b: Terminal, t: Terminal): TerminalChange['kind'] {
  if (t.status === 'removed' && b.status !== 'removed') return 'remove'
  if (t.status === 'active' && b.status !== 'active') return 'install'
  if (b.site !== t.site || b.zone !== t.zone) return 'move'
  if (b.serial !== t.serial || show(b.ssh.host_key) !== show(t.ssh.host_key) || show(b.macs) !== show(t.macs))
    return 'replace'
  return 'reconfigure'
}

function describe(t: Terminal): TerminalChange['changes'] {
  return (['site', 'zone', 'role', 'owner', 'status'] as const).map((f) => ({field: f, after: t[f]}))
}

function show(v: unknown): string {
  if (v === undefined) return ''
  return Array.isArray(v) ? v.join(',') : String(v)
}
