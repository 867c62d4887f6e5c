import {createWriteStream} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import type {Writable} from 'node:stream'
import {createGzip} from 'node:zlib'

import type {Inventory, Person, Terminal} from '../../model/types.js'
import {encodeCp932} from './sjis.js'

/**
 * Realistic, deterministic access logs for tests, benchmarks and the bundled example, in the example's export
 * format (`inventories/tohoku-example/logs/customer-system.yaml`): a Japanese CSV header, local times without an
 * offset, the client's words for settings and actions, and — like a real export — the contract holder's name and
 * phone number in clear on NW-set terminals, which the review must never repeat.
 *
 * Every active terminal is used on every day by the people who may use it (same side as its role, company with
 * access to its zone), more on weekdays; incidents are added as explicit rows. The same seed gives the same bytes.
 */
export interface GenerateLogsOptions {
  inventory: Inventory
  /** First and last day (inclusive), local days of the policy's time zone. */
  from: string
  to: string
  seed: number
  /** Folder to write into: one file per day (`access-YYYYMMDD.csv[.gz]`), or one file with `oneFile`. */
  out: string
  /** Rows per active terminal on a weekday (weekends: a fifth). */
  perTerminalDay?: number
  encoding?: 'utf-8' | 'shift_jis'
  format?: 'csv' | 'jsonl'
  gzip?: boolean
  oneFile?: string
  /** Incident rows, merged in time order. */
  extra?: GeneratedRow[]
  /** Terminals that get no background use (e.g. a disaster terminal only used in an incident). */
  quiet?: string[]
  /** Who uses which terminal (person ids), instead of the people of its side who can reach its zone. */
  assign?: Record<string, string[]>
  /** The setting a terminal logs when it differs from its declared role (a mis-set PC). */
  settings?: Record<string, 'nw' | 'retail'>
}

/** One generated log row; `at` is local time `YYYY-MM-DD HH:MM:SS`. */
export interface GeneratedRow {
  at: string
  terminal: string
  user: string
  setting?: 'nw' | 'retail' | string
  action?: 'view' | 'search' | 'print' | 'export' | 'login'
  supply_point?: string
  unmasked?: boolean
  records?: number
}

export const EXAMPLE_HEADER = [
  '日時',
  '端末ID',
  '端末設定',
  '利用者ID',
  '操作',
  '供給地点特定番号',
  '契約名義',
  '電話番号',
  '表示項目',
  '件数',
]
const SETTING_WORD: Record<string, string> = {nw: 'NW', retail: '小売'}
const ACTION_WORD: Record<string, string> = {
  view: '照会',
  search: '検索',
  print: '印刷',
  export: '出力',
  login: 'ログイン',
}
const FIELDS_SHOWN = '契約名義|電話番号|契約容量'
const SURNAMES = ['東北', '青葉', '八戸', '三陸', '仙台', '岩手', '宮城', '秋田']
const GIVEN = ['太郎', '花子', '一郎', '美咲', '健', '陽子']

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Writes the logs; returns the files written and the number of rows. */
export async function generateLogs(options: GenerateLogsOptions): Promise<{files: string[]; rows: number}> {
  const rand = prng(options.seed)
  const inv = options.inventory
  const perDay = options.perTerminalDay ?? 40
  const users = usersByTerminal(inv)
  const byId = new Map(inv.people.map((p) => [p.id, p]))
  for (const [t, ids] of Object.entries(options.assign ?? {}))
    users.set(
      t,
      ids.map((id) => byId.get(id)!).filter((p) => p?.log_ids.length),
    )
  const points = supplyPoints(inv, rand)
  const quiet = new Set(options.quiet ?? [])
  // Disaster-reception terminals stay idle outside emergencies unless someone is assigned to them.
  const kinds = new Map(inv.zones.map((z) => [z.id, z.kind]))
  for (const t of inv.terminals)
    if (
      (t.tags.includes('disaster-reception') || kinds.get(t.zone) === 'disaster-reception') &&
      !options.assign?.[t.id]
    )
      quiet.add(t.id)
  const active = inv.terminals.filter(
    (t) => t.status === 'active' && !quiet.has(t.id) && (users.get(t.id)?.length ?? 0) > 0,
  )
  const extra = [...(options.extra ?? [])].sort((a, b) => a.at.localeCompare(b.at))
  await mkdir(options.out, {recursive: true})
  const files: string[] = []
  let rows = 0
  let writer: Writer | undefined
  if (options.oneFile) writer = openWriter(join(options.out, options.oneFile), options, files)
  for (const day of eachDay(options.from, options.to)) {
    if (!options.oneFile)
      writer = openWriter(
        join(
          options.out,
          `access-${day.replaceAll('-', '')}.${options.format === 'jsonl' ? 'jsonl' : 'csv'}${options.gzip ? '.gz' : ''}`,
        ),
        options,
        files,
      )
    const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())
    const dayRows: GeneratedRow[] = []
    for (const t of active) {
      const n = Math.max(1, Math.round(perDay * (weekend ? 0.2 : 0.8 + rand() * 0.4)))
      const people = users.get(t.id)!
      for (let i = 0; i < n; i++) {
        const seconds = 8 * 3600 + 1800 + Math.floor(rand() * 9.5 * 3600)
        const person = people[Math.floor(rand() * people.length)]
        const r = rand()
        // Without a supply point table every customer's retailer is unknown (a competitor's, failing closed): no exports then.
        const action =
          r < 0.7 ? 'view' : r < 0.95 ? 'search' : r < 0.99 || inv.supply_points.length === 0 ? 'print' : 'export'
        const own = points.own[Math.floor(rand() * points.own.length)]
        const any = rand() < 0.7 ? own : (points.competitor[Math.floor(rand() * points.competitor.length)] ?? own)
        const setting = options.settings?.[t.id] ?? t.role
        dayRows.push({
          at: `${day} ${clock(seconds)}`,
          terminal: t.id,
          user: person.log_ids[0],
          setting,
          action,
          // Exports in normal work are of the group's own customers only.
          supply_point: action === 'export' ? own : any,
          unmasked: setting === 'nw',
          records:
            action === 'search' ? 1 + Math.floor(rand() * 20) : action === 'export' ? 2 + Math.floor(rand() * 30) : 1,
        })
      }
    }

    while (extra.length > 0 && extra[0].at.slice(0, 10) <= day) dayRows.push(extra.shift()!)
    dayRows.sort((a, b) => a.at.localeCompare(b.at) || a.terminal.localeCompare(b.terminal))
    for (const row of dayRows) writer!.write(row, rand)
    rows += dayRows.length
    if (!options.oneFile) await writer!.close()
    // One file for the whole period: let it reach the disk day by day rather than hold the month in memory.
    else await writer!.drain()
  }

  if (options.oneFile) await writer!.close()
  return {files, rows}
}

interface Writer {
  write(row: GeneratedRow, rand: () => number): void
  drain(): Promise<void>
  close(): Promise<void>
}

function openWriter(file: string, options: GenerateLogsOptions, files: string[]): Writer {
  files.push(file)
  const sink = createWriteStream(file)
  const gzip = options.gzip ? createGzip({level: 9}) : undefined
  if (gzip) gzip.pipe(sink)
  const out: Writable = gzip ?? sink
  const encode = (text: string) => (options.encoding === 'shift_jis' ? encodeCp932(text) : Buffer.from(text))
  const jsonl = options.format === 'jsonl'
  let chunk: string[] = []
  const flush = () => {
    if (chunk.length > 0) out.write(encode(chunk.join('')))
    chunk = []
  }

  if (!jsonl) chunk.push(`${EXAMPLE_HEADER.join(',')}\r\n`)
  return {
    write(row, rand) {
      const shown = row.unmasked ?? row.setting === 'nw'
      const name = shown
        ? `${SURNAMES[Math.floor(rand() * SURNAMES.length)]} ${GIVEN[Math.floor(rand() * GIVEN.length)]}`
        : ''
      const phone = shown
        ? `090-${String(1000 + Math.floor(rand() * 9000))}-${String(1000 + Math.floor(rand() * 9000))}`
        : ''
      const values = [
        row.at.replaceAll('-', '/'),
        row.terminal,
        row.setting === undefined ? '' : (SETTING_WORD[row.setting] ?? row.setting),
        row.user,
        ACTION_WORD[row.action ?? 'view'],
        row.supply_point ?? '',
        name,
        phone,
        shown ? FIELDS_SHOWN : '',
        String(row.records ?? 1),
      ]
      chunk.push(
        jsonl
          ? `${JSON.stringify(Object.fromEntries(EXAMPLE_HEADER.map((h, i) => [h, values[i]])))}\n`
          : `${values.map((v) => csvField(v)).join(',')}\r\n`,
      )
      if (chunk.length >= 4096) flush()
    },
    async drain() {
      flush()
      if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    },
    async close() {
      flush()
      await new Promise<void>((resolve, reject) => {
        sink.once('finish', resolve)
        sink.once('error', reject)
        out.end()
      })
    },
  }
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v
}

/**
 * Who uses each terminal: people of its side whose company can reach its zone, each person at one site only (the
 * first site where they may use a terminal), so that normal work never looks like impossible travel.
 */
function usersByTerminal(inv: Inventory): Map<string, Person[]> {
  const side = new Map(inv.companies.map((c) => [c.id, c.side]))
  const zones = new Map(inv.zones.map((z) => [z.id, z]))
  const may = (p: Person, t: Terminal) =>
    t.status === 'active' && zones.get(t.zone)?.access.includes(p.company) === true && side.get(p.company) === t.role
  const out = new Map<string, Person[]>(inv.terminals.map((t) => [t.id, []]))
  for (const p of inv.people) {
    if (p.log_ids.length === 0 || p.periods.length > 0) continue
    const home = inv.terminals.find((t) => may(p, t))?.site
    for (const t of inv.terminals) if (t.site === home && may(p, t)) out.get(t.id)!.push(p)
  }

  return out
}

/** The inventory's supply points split by whether their retailer is the group's own; synthetic ones otherwise. */
function supplyPoints(inv: Inventory, rand: () => number): {own: string[]; competitor: string[]} {
  const own = new Set(inv.retailers.filter((r) => r.company).map((r) => r.id))
  const out = {own: [] as string[], competitor: [] as string[]}
  for (const sp of inv.supply_points) (own.has(sp.retailer) ? out.own : out.competitor).push(sp.id)
  if (out.own.length === 0)
    for (let i = 0; i < 50; i++) out.own.push(`03${String(Math.floor(rand() * 1e12)).padStart(20, '0')}`)
  return out
}

function* eachDay(from: string, to: string): Generator<string> {
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1))
    yield d.toISOString().slice(0, 10)
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
}
