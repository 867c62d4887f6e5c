/**
 * A fast reader for the plain subset of YAML that inventories are written in: block mappings and sequences, plain
 * and single-line quoted scalars, and one-line flow collections. It builds the same JS values as the `yaml`
 * library's `parseDocument(...).toJS()` (YAML 1.2 core schema) and the start offset of every node, and skips the
 * library's token tree and Document model, which cost most of a large inventory's parse.
 *
 * It is strict the other way round: anything outside that subset, or anything the library might read differently or
 * report as an error (anchors, aliases, tags, block scalars, multi-line scalars or flow collections, escapes,
 * directives, several documents, tabs, CR line ends, odd indentation, duplicate keys, empty values, an empty
 * file...), makes it return `undefined`, and the caller parses the text with the library as before, so every error
 * message and position stays the library's. test/unit/io/yaml-fast.test.ts runs both on the same inputs.
 */

/** A node's start offset (a scalar) or a collection with the offsets of its parts. */
export type FastNode = number | FastMap | FastSeq
export interface FastMap {
  start: number
  keys: string[]
  keyAt: number[]
  values: FastNode[]
}
export interface FastSeq {
  start: number
  items: FastNode[]
}

export interface FastResult {
  value: unknown
  tree: FastNode
  lineStarts: number[]
}

/** Thrown (and caught in fastParseYaml) when the text leaves the subset: the library parses it instead. */
class Bail extends Error {}
const BAIL = new Bail()

/** Deeper than this and the library decides (it reports nesting over 64 levels as an error). */
const MAX_FAST_DEPTH = 48
/** The library refuses implicit keys longer than 1024 characters. */
const MAX_KEY = 1000
/** Characters that the fast path never reads: control characters (but \n), C1 controls, BOM, NEL, line separators. */
const UNSUPPORTED = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\uFEFF]/

const SPACE = 32
const NL = 10

export function fastParseYaml(text: string): FastResult | undefined {
  if (text.length === 0 || UNSUPPORTED.test(text)) return undefined
  try {
    return new FastParser(text).document()
  } catch (error) {
    if (error === BAIL) return undefined
    throw error
  }
}

class FastParser {
  private readonly text: string
  /** Start offset of every line (as the library's LineCounter records them). */
  readonly lineStarts: number[] = []
  /** The current content line: its start, the offset of its first non-space character, its end (at \n or EOF). */
  private lineStart = 0
  private indent = 0
  private lineEnd = 0
  /** false once the text is used up. */
  private more = true
  /** Where the next token on the current line starts (moves right as a line is read). */
  private pos = 0
  private depth = 0

  constructor(text: string) {
    this.text = text
  }

  document(): FastResult {
    this.firstLine()
    if (!this.more || this.indent !== 0) throw BAIL
    const c = this.text.charCodeAt(this.pos)
    // `---`, `...` and `%` lines (documents, directives) are the library's.
    if (c === 0x2d /* - */ && this.text.startsWith('---', this.pos)) throw BAIL
    if (c === 0x2e /* . */ && this.text.startsWith('...', this.pos)) throw BAIL
    if (c === 0x25 /* % */) throw BAIL
    const out: {value: unknown; node: FastNode} = {value: undefined, node: 0}
    if (this.isSeqItem()) this.seq(0, out)
    else if (this.keyEnd() !== -1) this.map(0, out)
    else throw BAIL
    if (this.more) throw BAIL
    return {value: out.value, tree: out.node, lineStarts: this.lineStarts}
  }

  // --- lines -------------------------------------------------------------------------------------------------------

  private firstLine(): void {
    this.lineStarts.push(0)
    this.scanFrom(0)
  }

  /** Moves to the next line that holds content (not blank, not only a comment), recording line starts on the way. */
  private nextLine(): void {
    if (this.lineEnd >= this.text.length) {
      this.more = false
      return
    }

    this.lineStarts.push(this.lineEnd + 1)
    this.scanFrom(this.lineEnd + 1)
  }

  private scanFrom(start: number): void {
    const {text} = this
    let s = start
    for (;;) {
      let i = s
      while (i < text.length && text.charCodeAt(i) === SPACE) i++
      let end = text.indexOf('\n', i)
      if (end === -1) end = text.length
      const c = i < end ? text.charCodeAt(i) : NL
      if (c === NL || c === 0x23 /* # */) {
        // Blank or comment line.
        if (end >= text.length) {
          this.more = false
          return
        }

        s = end + 1
        this.lineStarts.push(s)
        continue
      }

      // Document markers and directives at the start of any line are the library's.
      if (i === s && (c === 0x25 || ((c === 0x2d || c === 0x2e) && /^(---|\.\.\.)(\s|$)/.test(text.slice(i, i + 4)))))
        throw BAIL
      this.lineStart = s
      this.indent = i - s
      this.pos = i
      this.lineEnd = end
      return
    }
  }

  /** Skips spaces; true when the rest of the line is empty or a comment. */
  private restIsEmpty(): boolean {
    const {text} = this
    let i = this.pos
    while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++
    this.pos = i
    if (i === this.lineEnd) return true
    // A comment needs a space before it.
    return text.charCodeAt(i) === 0x23 && text.charCodeAt(i - 1) === SPACE
  }

  /** The line must end here (spaces and a comment allowed); then the next content line. */
  private endLine(): void {
    if (!this.restIsEmpty()) throw BAIL
    this.nextLine()
  }

  private isSeqItem(): boolean {
    const {text, pos} = this
    if (text.charCodeAt(pos) !== 0x2d) return false
    const n = pos + 1 < this.lineEnd ? text.charCodeAt(pos + 1) : NL
    return n === SPACE || n === NL
  }

  /** If the current position starts `key:` (a plain word, then `:` and a space or the line end), the offset of `:`. */
  private keyEnd(): number {
    const {text, pos, lineEnd} = this
    let i = pos
    const c = text.charCodeAt(i)
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) return -1
    for (i++; i < lineEnd; i++) {
      const d = text.charCodeAt(i)
      if ((d >= 0x30 && d <= 0x39) || (d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || d === 0x5f) continue
      if (d === 0x2d || d === 0x2e) continue
      break
    }

    if (i >= lineEnd || text.charCodeAt(i) !== 0x3a) return -1
    const n = i + 1 < lineEnd ? text.charCodeAt(i + 1) : NL
    return n === SPACE || n === NL ? i : -1
  }

  // --- block collections -------------------------------------------------------------------------------------------

  private enter(): void {
    if (++this.depth > MAX_FAST_DEPTH) throw BAIL
  }

  /** A block mapping whose keys sit at column `indent`; the first key is at the current position. */
  private map(indent: number, out: {value: unknown; node: FastNode}): void {
    this.enter()
    const {text} = this
    const value: Record<string, unknown> = {}
    const node: FastMap = {start: this.pos, keys: [], keyAt: [], values: []}
    const seen = new Set<string>()
    const child: {value: unknown; node: FastNode} = {value: undefined, node: 0}
    for (;;) {
      const colon = this.keyEnd()
      if (colon === -1 || colon - this.pos > MAX_KEY) throw BAIL
      const key = text.slice(this.pos, colon)
      if (key === '__proto__' || typeof plainValue(key) !== 'string' || seen.has(key)) throw BAIL
      seen.add(key)
      node.keys.push(key)
      node.keyAt.push(this.pos)
      this.pos = colon + 1
      if (this.restIsEmpty()) {
        // The value is a block on the next lines: deeper, or a sequence at the key's own column.
        const line = this.lineStart
        this.nextLine()
        if (!this.more || this.lineStart === line) throw BAIL
        if (this.indent > indent) this.block(this.indent, child)
        else if (this.indent === indent && this.isSeqItem()) this.seq(indent, child)
        else throw BAIL // an empty value: null, positioned by the library's rules
      } else {
        this.inline(child)
        this.endLine()
      }

      value[key] = child.value
      node.values.push(child.node)
      if (!this.more || this.indent < indent) break
      if (this.indent > indent || this.isSeqItem()) throw BAIL
    }

    this.depth--
    out.value = value
    out.node = node
  }

  /** A block sequence whose `-` indicators sit at column `indent`; the first one is at the current position. */
  private seq(indent: number, out: {value: unknown; node: FastNode}): void {
    this.enter()
    const {text} = this
    const value: unknown[] = []
    const node: FastSeq = {start: this.pos, items: []}
    const child: {value: unknown; node: FastNode} = {value: undefined, node: 0}
    for (;;) {
      this.pos++ // the `-`
      if (this.restIsEmpty()) {
        const line = this.lineStart
        this.nextLine()
        if (!this.more || this.lineStart === line || this.indent <= indent) throw BAIL
        this.block(this.indent, child)
      } else {
        // `- - x` (a sequence in a sequence item) is the library's.
        if (this.isSeqItem()) throw BAIL
        if (this.keyEnd() !== -1) {
          // A mapping that starts on the item's line: its keys sit at the first key's column.
          const column = this.pos - this.lineStart
          this.map(column, child)
        } else {
          this.inline(child)
          this.endLine()
        }
      }

      value.push(child.value)
      node.items.push(child.node)
      if (!this.more || this.indent < indent) break
      if (this.indent > indent) throw BAIL
      if (!this.isSeqItem()) break // the rest of a mapping that holds this sequence at its own column
      if (text.charCodeAt(this.pos) !== 0x2d) throw BAIL
    }

    this.depth--
    out.value = value
    out.node = node
  }

  /** A block collection starting at the current line, whose first token is at column `indent`. */
  private block(indent: number, out: {value: unknown; node: FastNode}): void {
    if (this.isSeqItem()) this.seq(indent, out)
    else if (this.keyEnd() !== -1) this.map(indent, out)
    else throw BAIL // a scalar on its own line (a multi-line value) is the library's
  }

  // --- values on one line ------------------------------------------------------------------------------------------

  /** A value that starts at the current position and ends on this line: a scalar or a flow collection. */
  private inline(out: {value: unknown; node: FastNode}): void {
    const {text} = this
    const start = this.pos
    const c = text.charCodeAt(start)
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      this.pos = this.flow(start, out)
      return
    }

    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const [value, end] = this.quoted(start)
      this.pos = end
      out.value = value
      out.node = start
      return
    }

    if (!plainStart(text, start, this.lineEnd, false)) throw BAIL
    // A plain scalar runs to the line end or to a comment (` #`); trailing spaces are not part of it.
    let end = this.lineEnd
    for (let i = start + 1; i < end; i++)
      if (text.charCodeAt(i) === 0x23 && text.charCodeAt(i - 1) === SPACE) {
        end = i - 1
        break
      }

    while (end > start && text.charCodeAt(end - 1) === SPACE) end--
    const raw = text.slice(start, end)
    // `a: b` inside a value is a nested mapping (an error for the library); a trailing `:` is a key.
    if (raw.includes(': ') || raw.charCodeAt(raw.length - 1) === 0x3a) throw BAIL
    this.pos = end
    out.value = plainValue(raw)
    out.node = start
  }

  /** A quoted scalar on one line, without escapes: its value and the offset after the closing quote. */
  private quoted(start: number): [string, number] {
    const {text, lineEnd} = this
    const q = text.charCodeAt(start)
    if (q === 0x22) {
      const close = text.indexOf('"', start + 1)
      if (close === -1 || close >= lineEnd) throw BAIL
      const body = text.slice(start + 1, close)
      if (body.includes('\\')) throw BAIL
      return [body, close + 1]
    }

    let value = ''
    let i = start + 1
    for (;;) {
      const close = text.indexOf("'", i)
      if (close === -1 || close >= lineEnd) throw BAIL
      value += text.slice(i, close)
      if (text.charCodeAt(close + 1) === 0x27) {
        value += "'"
        i = close + 2
      } else return [value, close + 1]
    }
  }

  /** A flow collection that closes on this line; returns the offset after it. */
  private flow(start: number, out: {value: unknown; node: FastNode}): number {
    this.enter()
    const {text, lineEnd} = this
    const isSeq = text.charCodeAt(start) === 0x5b
    const close = isSeq ? 0x5d : 0x7d
    const seqValue: unknown[] = []
    const mapValue: Record<string, unknown> = {}
    const seqNode: FastSeq = {start, items: []}
    const mapNode: FastMap = {start, keys: [], keyAt: [], values: []}
    const child: {value: unknown; node: FastNode} = {value: undefined, node: 0}
    let i = skipSpaces(text, start + 1, lineEnd)
    if (text.charCodeAt(i) === close) i++
    else
      for (;;) {
        if (i >= lineEnd) throw BAIL
        if (isSeq) {
          i = this.flowValue(i, child)
          seqValue.push(child.value)
          seqNode.items.push(child.node)
        } else {
          // `key: value` with a plain word key and a value.
          const keyStart = i
          this.pos = i
          const colon = this.keyEnd()
          if (colon === -1) throw BAIL
          const key = text.slice(i, colon)
          if (key === '__proto__' || typeof plainValue(key) !== 'string' || key in mapValue) throw BAIL
          const v = skipSpaces(text, colon + 1, lineEnd)
          if (v === colon + 1) throw BAIL
          i = this.flowValue(v, child)
          mapValue[key] = child.value
          mapNode.keys.push(key)
          mapNode.keyAt.push(keyStart)
          mapNode.values.push(child.node)
        }

        i = skipSpaces(text, i, lineEnd)
        const d = text.charCodeAt(i)
        if (i >= lineEnd) throw BAIL
        if (d === close) {
          i++
          break
        }

        if (d !== 0x2c /* , */) throw BAIL
        i = skipSpaces(text, i + 1, lineEnd)
        // A trailing comma (`[a, ]`) is the library's.
        if (text.charCodeAt(i) === close) throw BAIL
      }

    this.depth--
    out.value = isSeq ? seqValue : mapValue
    out.node = isSeq ? seqNode : mapNode
    return i
  }

  /** A value inside a flow collection; returns the offset after it. */
  private flowValue(start: number, out: {value: unknown; node: FastNode}): number {
    const {text, lineEnd} = this
    const c = text.charCodeAt(start)
    if (c === 0x5b || c === 0x7b) return this.flow(start, out)
    if (c === 0x22 || c === 0x27) {
      const [value, end] = this.quoted(start)
      out.value = value
      out.node = start
      return end
    }

    if (!plainStart(text, start, lineEnd, true)) throw BAIL
    let end = start
    for (; end < lineEnd; end++) {
      const d = text.charCodeAt(end)
      if (d === 0x2c || d === 0x5d || d === 0x7d) break
      // A `:` stays in the scalar (`2001:db8::/32`) only before a character that can go on one; before a space, a
      // flow indicator or the line end it makes a key, which is the library's. So are `#`, brackets and quotes.
      if (d === 0x3a) {
        const n = end + 1 < lineEnd ? text.charCodeAt(end + 1) : NL
        if (n === SPACE || n === NL || n === 0x2c || n === 0x5b || n === 0x5d || n === 0x7b || n === 0x7d) throw BAIL
      }

      if (d === 0x23 || d === 0x5b || d === 0x7b || d === 0x22 || d === 0x27) throw BAIL
    }

    let last = end
    while (last > start && text.charCodeAt(last - 1) === SPACE) last--
    out.value = plainValue(text.slice(start, last))
    out.node = start
    return end
  }
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) === SPACE) i++
  return i
}

/**
 * Whether a plain scalar may start here. Indicators (`-?:,[]{}#&*!|>'"%@` and the backquote) cannot start one,
 * except `-` followed by a character that cannot start a token; the fast path leaves `?` and `:` to the library.
 */
function plainStart(text: string, i: number, end: number, inFlow: boolean): boolean {
  if (i >= end) return false
  const c = text.charCodeAt(i)
  if (c === SPACE) return false
  if (c === 0x2d) {
    const n = i + 1 < end ? text.charCodeAt(i + 1) : NL
    return n !== SPACE && n !== NL && !(inFlow && (n === 0x2c || n === 0x5b || n === 0x5d || n === 0x7b || n === 0x7d))
  }

  return '-?:,[]{}#&*!|>\'"%@`'.indexOf(text[i]) === -1
}

/** A plain scalar as the YAML 1.2 core schema resolves it, in the `yaml` library's order of tests. */
export function plainValue(s: string): unknown {
  const c = s.charCodeAt(0)
  // Only strings that start with one of these can be anything but a string.
  if (!(c === 0x7e || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x2e))
    if (!(c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39))) return s
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T'
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8)
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10)
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16)
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    return s.slice(-3).toLowerCase() === 'nan'
      ? NaN
      : s[0] === '-'
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s)
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s)
  return s
}

/** Walks the tree like `positionAt` walks the Document: the offset of the node at a path, or its closest ancestor. */
export function fastOffsetAt(tree: FastNode, path: readonly (string | number)[], key: boolean): number {
  let node: FastNode | undefined = tree
  let best = typeof tree === 'number' ? tree : tree.start
  for (const seg of path) {
    if (node === undefined || typeof node === 'number') break
    if ('keys' in node) {
      const i = node.keys.indexOf(String(seg))
      if (i === -1) break
      if (key && seg === path.at(-1)) {
        best = node.keyAt[i]
        break
      }

      node = node.values[i]
    } else {
      node = node.items[Number(seg)]
    }

    if (node !== undefined) best = typeof node === 'number' ? node : node.start
  }

  return best
}
