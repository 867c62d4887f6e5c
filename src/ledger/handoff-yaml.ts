/**
 * The one reader of hand-off files: the YAML that people read and that `yaml.stringify`, an editor or fleet-audit
 * itself writes (block mappings and lists at any indentation, plain / single- / double-quoted / block scalars, flow
 * collections, comments, LF or CRLF), read straight into plain JSON values in one pass. What a signed data list has
 * no use for is refused at its position instead of being given a meaning: anchors and aliases (alias bombs), tags,
 * directives, several documents, complex keys, `.inf`/`.nan`, nesting deeper than {@link MAX_DEPTH}, duplicate keys.
 * Scalars resolve as in YAML 1.2's core schema (the `yaml` package's default), so a file means the same here and
 * in any YAML tool a person checks it with.
 *
 * Positions are kept only when asked (`track`): the first pass, which succeeds for any sound file, builds values and
 * nothing else; a file with problems is read again to say where they are.
 */

/** 1-based line and column. */
export type YamlPos = [line: number, column: number]

/** A problem of the text itself, at its place. */
export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly code = 'E_HANDOFF_FORMAT',
  ) {
    super(message)
  }
}

/** Where the values (and keys) of each mapping and list were, by key or index. */
export type YamlPositions = Map<object, Map<string | number, {key?: YamlPos; value: YamlPos}>>

/** Deeper than any hand-off file (a finding inside an ack inside the list is 5); shallow enough for any stack. */
export const MAX_DEPTH = 64

/** YAML's one-character escapes in double-quoted scalars. */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\u0007',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\u001b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
}
Object.setPrototypeOf(ESCAPES, null)

const SPACE = 32
const NL = 10
const HASH = 35
const DASH = 45
const COLON = 58
const TAB = 9

/** Reads one YAML document into plain values; with `track`, records where each value came from. */
export function readYaml(text: string, track?: YamlPositions): unknown {
  return new Reader(text, track).document()
}

/**
 * A list of the top-level mapping handed over item by item instead of kept (the 100,000 events of a hand-off).
 * When the value of `key` is a block list, `begin` is called with the top-level keys read before it, and the
 * function it returns gets each item as soon as it is read; the document then holds an empty list under `key`.
 * A list written any other way (a flow `[...]`) is read as usual, and `begin` is never called.
 */
export interface YamlStream {
  key: string
  begin(before: Record<string, unknown>): (item: unknown, index: number) => void
}

/** Like {@link readYaml}, handing the list `stream.key` names to `stream` item by item. */
export function readYamlStreaming(text: string, stream: YamlStream): unknown {
  return new Reader(text, undefined, stream).document()
}

/** What the last mapping at an indentation looked like, so that its next sibling is read with less work. */
interface Shape {
  keys: string[]
  /** The text (to the end of its line) of each one-line string or null value, and the value. */
  raws: (string | undefined)[]
  values: unknown[]
  /** How many siblings in a row had a different value for each key. */
  misses: number[]
  /** How many siblings in a row had exactly these keys. */
  repeats: number
  make?: (values: unknown[]) => Record<string, unknown>
}

function newShape(keys: string[], from?: Shape): Shape {
  const n = keys.length
  return {
    keys,
    raws: from ? from.raws.slice(0, n) : [],
    values: from ? from.values.slice(0, n) : [],
    misses: from ? from.misses.slice(0, n) : [],
    repeats: 0,
  }
}

function fromEntries(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) out[keys[i]] = values[i]
  return out
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * `(v) => ({key0: v[0], key1: v[1], ...})` for keys that repeat in many sibling records (the 100,000 events of a
 * list): one object literal of a fixed shape instead of 21 keyed stores each. Only plain identifiers (checked)
 * become source text, written as JSON string literals; anything else is built key by key.
 */
function objectFactory(keys: readonly string[]): Shape['make'] {
  if (keys.length > 64 || !keys.every((k) => IDENTIFIER.test(k))) return undefined

  return new Function(
    'v',
    `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}}`,
  ) as Shape['make']
}

class Reader {
  private readonly text: string
  private readonly end: number
  /** Start of the current line, and its number. */
  private lineStart = 0
  private line = 1
  /** Content has begun: a `---` or `...` line from now on starts another document. */
  private started = false
  /** Where the value read last ended (set by the quoted and flow readers). */
  private after = 0
  /** The previous mapping at each indentation: the next sibling record usually repeats its keys. */
  private readonly shapes = new Map<number, Shape>()

  constructor(
    text: string,
    private readonly track?: YamlPositions,
    private readonly stream?: YamlStream,
  ) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    if (text.includes('\r')) {
      text = text.replace(/\r\n/g, '\n')
      const cr = text.indexOf('\r')
      if (cr >= 0) this.failAt(cr, 'a carriage return that does not end a line', text)
    }
    this.text = text
    this.end = text.length
  }

  document(): unknown {
    let first = this.significant()
    if (first >= 0 && this.startsMarker(first, '---')) {
      this.nextLine()
      first = this.significant()
    }
    if (first < 0) this.failAt(this.end, 'the file is empty')
    this.started = true
    const indent = first - this.lineStart
    const value = this.node(indent, first, -1, 0)
    const after = this.significant()
    if (after >= 0) {
      this.failAt(after, after - this.lineStart > indent ? 'bad indentation' : 'unexpected text after the document')
    }
    return value
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lines

  private lineEnd(from: number): number {
    const e = this.text.indexOf('\n', from)
    return e < 0 ? this.end : e
  }

  /** Moves to the start of the line after the current one. */
  private nextLine(): void {
    const e = this.lineEnd(this.lineStart)
    this.lineStart = e < this.end ? e + 1 : this.end
    this.line++
  }

  /**
   * From the current line on, skips blank and comment lines; returns the offset of the first character of the next
   * line with content (the current line when it has some), or -1 at the end.
   */
  private significant(): number {
    const t = this.text
    while (this.lineStart < this.end) {
      let p = this.lineStart
      while (t.charCodeAt(p) === SPACE) p++
      const c = t.charCodeAt(p)
      if (c === NL || p >= this.end) {
        this.nextLine()
        continue
      }
      if (c === TAB) {
        let q = p
        while (t.charCodeAt(q) === TAB || t.charCodeAt(q) === SPACE) q++
        if (t.charCodeAt(q) === NL || q >= this.end || t.charCodeAt(q) === HASH) {
          this.nextLine()
          continue
        }
        this.failAt(p, 'a tab in the indentation (YAML indents with spaces)')
      }
      if (c === HASH) {
        this.nextLine()
        continue
      }
      if (p === this.lineStart && c === 37 /* % */) this.failAt(p, 'YAML directives are not allowed')
      if (this.started && (this.startsMarker(p, '---') || this.startsMarker(p, '...')))
        this.failAt(p, 'a second YAML document is not allowed')
      return p
    }
    return -1
  }

  private startsMarker(p: number, marker: string): boolean {
    if (p !== this.lineStart || !this.text.startsWith(marker, p)) return false
    const c = this.text.charCodeAt(p + 3)
    return c === NL || c === SPACE || p + 3 >= this.end
  }

  private isItem(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false
    const c = this.text.charCodeAt(p + 1)
    return c === SPACE || c === NL || p + 1 >= this.end
  }

  // -------------------------------------------------------------------------------------------------------------
  // Block structure

  /** The node whose first character is at `p` on the current line, at column `indent`; `parent`: the parent's indentation. */
  private node(indent: number, p: number, parent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) this.failAt(p, 'nested too deeply')
    if (this.isItem(p)) return this.sequence(indent, p, depth)
    if (this.keyEnd(p) >= 0) return this.mapping(indent, p, depth)
    return this.inline(p, parent, depth)
  }

  /** For a mapping entry at `p` (`key:` then a space or the end of the line), the offset of its colon; else -1. */
  private keyEnd(p: number): number {
    const t = this.text
    const c = t.charCodeAt(p)
    if (c === 34 /* " */ || c === 39 /* ' */) {
      // A quoted key: find its end without reading it, then the colon.
      let q = p + 1
      for (; q < this.end; q++) {
        const d = t.charCodeAt(q)
        if (d === NL) return -1
        if (c === 34 && d === 92 /* \ */) q++
        else if (d === c) {
          if (c === 39 && t.charCodeAt(q + 1) === 39) q++
          else break
        }
      }
      q++
      while (t.charCodeAt(q) === SPACE) q++
      return t.charCodeAt(q) === COLON && this.endsToken(q + 1) ? q : -1
    }
    if (
      c === 91 /* [ */ ||
      c === 123 /* { */ ||
      c === 35 ||
      c === 38 /* & */ ||
      c === 42 /* * */ ||
      c === 33 /* ! */ ||
      c === 124 /* | */ ||
      c === 62 /* > */
    )
      return -1
    for (let q = p; q < this.end; q++) {
      const d = t.charCodeAt(q)
      if (d === NL) return -1
      if (d === COLON && this.endsToken(q + 1)) return q
      if (d === HASH && t.charCodeAt(q - 1) === SPACE) return -1
    }
    return -1
  }

  private endsToken(q: number): boolean {
    const c = this.text.charCodeAt(q)
    return c === SPACE || c === NL || q >= this.end || c === TAB
  }

  private mapping(indent: number, p: number, depth: number): Record<string, unknown> {
    const t = this.text
    const shape = this.shapes.get(indent)
    /** While true, this mapping's keys so far are the previous sibling's (`cur` is that shape, updated in place). */
    let same = shape !== undefined
    let cur: Shape = shape ?? newShape([])
    const values: unknown[] = shape ? new Array(shape.keys.length) : []
    let positions: Map<string | number, {key?: YamlPos; value: YamlPos}> | undefined
    if (this.track) positions = new Map()
    let n = 0
    for (; ; n++) {
      const colon = this.keyEnd(p)
      if (colon < 0)
        this.failAt(p, this.isItem(p) ? 'a list item where a key was expected' : 'a key (`name:`) expected')
      let key: string
      const hinted = same ? cur.keys[n] : undefined
      if (hinted !== undefined && colon - p === hinted.length && t.startsWith(hinted, p)) key = hinted
      else {
        if (same) {
          // Another shape from here on: keep the prefix, start new records of keys and values.
          cur = newShape(cur.keys.slice(0, n), cur)
          same = false
        }
        key = this.key(p, colon)
        if (cur.keys.includes(key)) this.failAt(p, `duplicate key "${key}"`)
        if (key === '__proto__') this.failAt(p, 'the key "__proto__" is not allowed')
        cur.keys.push(key)
      }
      const keyPos: YamlPos | undefined = positions ? [this.line, p - this.lineStart + 1] : undefined
      let v = colon + 1
      while (t.charCodeAt(v) === SPACE || t.charCodeAt(v) === TAB) v++
      let value: unknown
      let valuePos: YamlPos | undefined
      const raw = same ? cur.raws[n] : undefined
      if (positions) valuePos = [this.line, v - this.lineStart + 1]
      if (raw !== undefined && t.startsWith(raw, v) && this.wholeLine(v + raw.length, indent)) {
        // Written exactly as the previous sibling's value (an issuer, a kind, a time): the same string or null.
        value = cur.values[n]
        cur.misses[n] = 0
        this.nextLine()
      } else if (v >= this.end || t.charCodeAt(v) === NL || t.charCodeAt(v) === HASH) {
        this.nextLine()
        const next = this.significant()
        const at = next - this.lineStart
        if (next >= 0 && (at > indent || (at === indent && this.isItem(next)))) {
          if (positions) valuePos = [this.line, at + 1]
          value =
            depth === 0 && this.stream?.key === key && this.isItem(next)
              ? this.sequence(at, next, depth + 1, this.stream.begin(fromEntries(cur.keys.slice(0, n), values)))
              : this.node(at, next, indent, depth + 1)
        } else {
          value = null
          valuePos = keyPos
        }
        cur.raws[n] = undefined
      } else {
        const line = this.line
        value = this.inline(v, indent, depth + 1)
        // Remember how a one-line string or null was written, for the next sibling, unless this key's values keep
        // changing (a seq, a hash): then slicing the text would only make garbage.
        const misses = (cur.misses[n] ?? 0) + 1
        cur.misses[n] = misses
        cur.raws[n] =
          (value === null || typeof value === 'string') && this.line === line + 1 && misses <= 8
            ? t.slice(v, this.lineEnd(v))
            : undefined
        cur.values[n] = value
      }
      values[n] = value
      positions?.set(key, {key: keyPos, value: valuePos!})
      const next = this.significant()
      if (next < 0) break
      const at = next - this.lineStart
      if (at < indent) break
      if (at > indent) this.failAt(next, 'bad indentation')
      if (this.isItem(next)) break
      p = next
    }
    n++
    if (same && n !== cur.keys.length) {
      cur = newShape(cur.keys.slice(0, n), cur)
      same = false
    }
    let out: Record<string, unknown>
    if (same) {
      // The same keys as the sibling before: once a shape repeats, its objects come from one compiled literal.
      if (!cur.make && ++cur.repeats >= 8) {
        const keys = cur.keys
        cur.make = objectFactory(keys) ?? ((v) => fromEntries(keys, v))
      }
      out = cur.make ? cur.make(values) : fromEntries(cur.keys, values)
    } else out = fromEntries(cur.keys, values)
    if (!same) this.shapes.set(indent, cur)
    if (positions) this.track!.set(out, positions)
    return out
  }

  /** True when `q` ends its line and the line after does not continue a plain value begun on it. */
  private wholeLine(q: number, indent: number): boolean {
    const t = this.text
    if (q < this.end && t.charCodeAt(q) !== NL) return false
    let r = q + 1
    while (t.charCodeAt(r) === SPACE) r++
    const c = t.charCodeAt(r)
    return r >= this.end || (c !== NL && c !== TAB && (r - q - 1 <= indent || c === HASH))
  }

  private key(p: number, colon: number): string {
    const c = this.text.charCodeAt(p)
    if (c === 34 || c === 39) {
      const saved = [this.lineStart, this.line] as const
      const value = c === 34 ? this.doubleQuoted(p, -1) : this.singleQuoted(p, -1)
      ;[this.lineStart, this.line] = saved
      return value
    }
    let e = colon
    while (e > p && this.text.charCodeAt(e - 1) === SPACE) e--
    const key = this.text.slice(p, e)
    if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(key)) this.failAt(p, `"${key}" is not a plain key`)
    return key
  }

  /** A block list; with `sink`, each item goes to it instead of into the list returned. */
  private sequence(indent: number, p: number, depth: number, sink?: (item: unknown, index: number) => void): unknown[] {
    const t = this.text
    const out: unknown[] = []
    let index = 0
    let positions: Map<string | number, {key?: YamlPos; value: YamlPos}> | undefined
    if (this.track) this.track.set(out, (positions = new Map()))
    for (;;) {
      let v = p + 1
      while (t.charCodeAt(v) === SPACE) v++
      let item: unknown
      const dash: YamlPos = [this.line, p - this.lineStart + 1]
      if (v >= this.end || t.charCodeAt(v) === NL || t.charCodeAt(v) === HASH) {
        this.nextLine()
        const next = this.significant()
        const at = next - this.lineStart
        if (next >= 0 && at > indent) {
          positions?.set(out.length, {value: [this.line, at + 1]})
          item = this.node(at, next, indent, depth + 1)
        } else {
          positions?.set(out.length, {value: dash})
          item = null
        }
      } else {
        positions?.set(out.length, {value: [this.line, v - this.lineStart + 1]})
        item = this.node(v - this.lineStart, v, indent, depth + 1)
      }
      if (sink) sink(item, index++)
      else out.push(item)
      const next = this.significant()
      if (next < 0) break
      const at = next - this.lineStart
      if (at < indent || (at === indent && !this.isItem(next))) break
      if (at > indent) this.failAt(next, 'bad indentation')
      p = next
    }
    return out
  }

  // -------------------------------------------------------------------------------------------------------------
  // A value on the current line (which may continue on the lines after it); leaves the reader on the next line.

  private inline(p: number, parent: number, depth: number): unknown {
    const t = this.text
    const c = t.charCodeAt(p)
    let value: unknown
    switch (c) {
      case 34: {
        value = this.doubleQuoted(p, parent)
        break
      }
      case 39: {
        value = this.singleQuoted(p, parent)
        break
      }
      case 91:
      case 123: {
        value = this.flow(p, depth)
        break
      }
      case 124:
      case 62: {
        return this.blockScalar(p, parent)
      }
      default: {
        this.refuseIndicator(p)
        return this.plain(p, parent)
      }
    }
    this.restOfLine(this.after)
    return value
  }

  private refuseIndicator(p: number): void {
    const t = this.text
    const c = t.charCodeAt(p)
    if (c === 38 || c === 42)
      this.failAt(p, 'not a readable hand-off file: aliases (*name) are not allowed, nor anchors (&name)')
    if (c === 33) {
      let e = p
      while (e < this.end && !/[\s,[\]{}]/.test(t[e])) e++
      throw new YamlSyntaxError(
        `YAML tag "${t.slice(p, e)}" is not allowed: a hand-off file holds plain values only`,
        this.line,
        p - this.lineStart + 1,
        'E_YAML_TAG',
      )
    }
    if (c === 37 || c === 64 || c === 96) this.failAt(p, `"${t[p]}" cannot start a value`)
    if ((c === 63 || c === DASH || c === COLON) && this.endsToken(p + 1))
      this.failAt(p, `"${t[p]}" here is not supported in a hand-off file`)
  }

  /** After a quoted or flow value: only spaces and a comment may follow on its line. */
  private restOfLine(p: number): void {
    const t = this.text
    while (t.charCodeAt(p) === SPACE || t.charCodeAt(p) === TAB) p++
    if (p < this.end && t.charCodeAt(p) !== NL) {
      if (t.charCodeAt(p) !== HASH || !/[ \t]/.test(t[p - 1])) this.failAt(p, 'unexpected text after the value')
    }
    this.nextLine()
  }

  /** A plain scalar, continued on more-indented lines (folded); resolved by the core schema. */
  private plain(p: number, parent: number): unknown {
    const t = this.text
    let e = this.plainEnd(p)
    let text = t.slice(p, e)
    this.nextLine()
    // Continuation lines: more indented than the parent, not comments; blank lines between them are line breaks.
    for (;;) {
      let breaks = 0
      let q = this.lineStart
      let lineStart = q
      let s = q
      while (q < this.end) {
        s = q
        while (t.charCodeAt(s) === SPACE) s++
        if (t.charCodeAt(s) === NL) {
          breaks++
          q = s + 1
          lineStart = q
          continue
        }
        break
      }
      if (q >= this.end || s - lineStart <= parent || t.charCodeAt(s) === HASH || s >= this.end) break
      if (t.charCodeAt(s) === TAB) this.failAt(s, 'a tab in the indentation (YAML indents with spaces)')
      for (let i = 0; i < breaks; i++) this.nextLine()
      this.refuseIndicator(s)
      e = this.plainEnd(s)
      if (this.keyEnd(s) >= 0) this.failAt(s, 'a key inside a value: quote the value')
      text += (breaks === 0 ? ' ' : '\n'.repeat(breaks)) + t.slice(s, e)
      this.nextLine()
    }
    return this.resolve(text, p)
  }

  /** End of a plain scalar's text on its line: before a ` #` comment, without trailing spaces. */
  private plainEnd(p: number): number {
    const t = this.text
    let e = p
    for (; e < this.end; e++) {
      const c = t.charCodeAt(e)
      if (c === NL) break
      if (c === HASH && (t.charCodeAt(e - 1) === SPACE || t.charCodeAt(e - 1) === TAB)) break
      if (c === COLON && this.endsToken(e + 1)) this.failAt(p, 'a key inside a value: quote the value')
    }
    while (e > p && (t.charCodeAt(e - 1) === SPACE || t.charCodeAt(e - 1) === TAB)) e--
    return e
  }

  /** YAML 1.2 core schema: null, booleans, integers and floats; anything else is a string. */
  private resolve(s: string, p: number): unknown {
    const c = s.charCodeAt(0)
    // Most values (ids, names) start with a letter that no other type starts with.
    if (
      (c >= 97 && c <= 122 && c !== 110 && c !== 116 && c !== 102) ||
      (c >= 65 && c <= 90 && c !== 78 && c !== 84 && c !== 70)
    )
      return s
    if (s === 'null' || s === 'Null' || s === 'NULL' || s === '~' || s === '') return null
    if (s === 'true' || s === 'True' || s === 'TRUE') return true
    if (s === 'false' || s === 'False' || s === 'FALSE') return false
    if (/^[-+]?[0-9]+$/.test(s)) return Number(s)
    if (/^0o[0-7]+$/.test(s)) return Number.parseInt(s.slice(2), 8)
    if (/^0x[0-9a-fA-F]+$/.test(s)) return Number.parseInt(s.slice(2), 16)
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s)
    if (/^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/.test(s)) this.failAt(p, `${s} has no JSON form`)
    return s
  }

  /** A double-quoted scalar from `p`: its value and the offset after its closing quote. */
  private doubleQuoted(p: number, parent: number): string {
    const t = this.text
    // Most quoted values (hashes, times) have nothing to unescape and fit on their line.
    let q = p + 1
    for (; q < this.end; q++) {
      const c = t.charCodeAt(q)
      if (c === 34) {
        this.after = q + 1
        return t.slice(p + 1, q)
      }
      if (c === 92 || c === NL) break
    }
    let out = t.slice(p + 1, q)
    for (;;) {
      if (q >= this.end) this.failAt(p, 'a quoted value is not closed')
      const c = t.charCodeAt(q)
      if (c === 34) {
        this.after = q + 1
        return out
      }
      if (c === 92) {
        const [text, next] = this.escape(q)
        out += text
        q = next
      } else if (c === NL) {
        ;[out, q] = this.fold(out, q, parent)
      } else {
        const start = q
        while (q < this.end && t.charCodeAt(q) !== 34 && t.charCodeAt(q) !== 92 && t.charCodeAt(q) !== NL) q++
        out += t.slice(start, q)
      }
    }
  }

  private singleQuoted(p: number, parent: number): string {
    const t = this.text
    let q = p + 1
    let out = ''
    for (;;) {
      if (q >= this.end) this.failAt(p, 'a quoted value is not closed')
      const c = t.charCodeAt(q)
      if (c === 39) {
        if (t.charCodeAt(q + 1) !== 39) {
          this.after = q + 1
          return out
        }
        out += "'"
        q += 2
      } else if (c === NL) {
        ;[out, q] = this.fold(out, q, parent)
      } else {
        const start = q
        while (q < this.end && t.charCodeAt(q) !== 39 && t.charCodeAt(q) !== NL) q++
        out += t.slice(start, q)
      }
    }
  }

  /** A line break inside a quoted scalar at `q`: trailing spaces dropped, one break a space, n blank lines n breaks. */
  private fold(out: string, q: number, parent: number): [string, number] {
    const t = this.text
    out = out.replace(/[ \t]+$/, '')
    let breaks = 0
    for (;;) {
      this.lineStart = q + 1
      this.line++
      q = this.lineStart
      while (t.charCodeAt(q) === SPACE || t.charCodeAt(q) === TAB) q++
      if (t.charCodeAt(q) === NL) {
        breaks++
        continue
      }
      break
    }
    if (q < this.end && q - this.lineStart <= parent && t.charCodeAt(q) !== 34 && t.charCodeAt(q) !== 39)
      this.failAt(q, 'a quoted value continues at the wrong indentation')
    return [out + (breaks === 0 ? ' ' : '\n'.repeat(breaks)), q]
  }

  private escape(q: number): [string, number] {
    const t = this.text
    const c = t[q + 1]
    const simple = ESCAPES[c]
    if (simple !== undefined) return [simple, q + 2]
    const width = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0
    if (width > 0) {
      const hex = t.slice(q + 2, q + 2 + width)
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) this.failAt(q, `a bad escape "\\${c}${hex}"`)
      const code = Number.parseInt(hex, 16)
      if (code > 0x10ffff) this.failAt(q, `a bad escape "\\${c}${hex}"`)
      return [width === 4 ? String.fromCharCode(code) : String.fromCodePoint(code), q + 2 + width]
    }
    if (c === '\n') {
      // An escaped line break joins the lines without a space: skip the break and the next line's indentation.
      this.lineStart = q + 2
      this.line++
      let r = q + 2
      while (t.charCodeAt(r) === SPACE || t.charCodeAt(r) === TAB) r++
      return ['', r]
    }
    this.failAt(q, `an unknown escape "\\${c ?? ''}"`)
  }

  /** `|` or `>` with optional chomping (+/-) and indentation (1-9) indicators; the lines after it. */
  private blockScalar(p: number, parent: number): string {
    const t = this.text
    const folded = t.charCodeAt(p) === 62
    let q = p + 1
    let chomp = ''
    let explicit = 0
    for (let i = 0; i < 2; i++) {
      const c = t[q]
      if ((c === '+' || c === '-') && !chomp) {
        chomp = c
        q++
      } else if (c >= '1' && c <= '9' && !explicit) {
        explicit = Number(c)
        q++
      }
    }
    this.restOfLine(q)
    const lines: string[] = []
    let indent = explicit ? Math.max(parent, 0) + explicit : -1
    for (;;) {
      if (this.lineStart >= this.end) break
      const e = this.lineEnd(this.lineStart)
      let s = this.lineStart
      while (s < e && t.charCodeAt(s) === SPACE) s++
      const at = s - this.lineStart
      if (s === e) {
        lines.push(indent >= 0 ? t.slice(this.lineStart + Math.min(indent, e - this.lineStart), e) : '')
        this.nextLine()
        continue
      }
      if (indent < 0) {
        if (at <= parent) break
        indent = at
      }
      if (at < indent) break
      lines.push(t.slice(this.lineStart + indent, e))
      this.nextLine()
    }
    // Trailing blank lines belong to chomping, not to the content; a blank line that was all spaces is blank.
    let trailing = 0
    while (lines.length > 0 && lines.at(-1)!.trim() === '') {
      lines.pop()
      trailing++
    }
    if (lines.length === 0) {
      // Blank lines only: with the last `parent`-level line break they were the value's trailing breaks.
      return chomp === '+' ? '\n'.repeat(trailing) : ''
    }
    let body = ''
    if (!folded) body = lines.join('\n')
    else {
      let breaks = 0
      let prevMore = false
      let started = false
      for (const line of lines) {
        if (line === '') {
          breaks++
          continue
        }
        const more = line[0] === ' ' || line[0] === '\t'
        if (!started) body += '\n'.repeat(breaks)
        else if (breaks === 0) body += prevMore || more ? '\n' : ' '
        else body += '\n'.repeat(prevMore || more ? breaks + 1 : breaks)
        body += line
        started = true
        prevMore = more
        breaks = 0
      }
    }
    if (chomp === '-') return body
    if (chomp === '+') return body + '\n'.repeat(trailing + 1)
    return body + '\n'
  }

  // -------------------------------------------------------------------------------------------------------------
  // Flow collections: JSON, plus YAML's plain and single-quoted scalars; may span lines.

  private flow(p: number, depth: number): unknown {
    if (depth > MAX_DEPTH) this.failAt(p, 'not a readable hand-off file: nested too deeply')
    const t = this.text
    const isList = t.charCodeAt(p) === 91
    const close = isList ? 93 : 125
    const list: unknown[] = []
    const map: Record<string, unknown> = {}
    let positions: Map<string | number, {key?: YamlPos; value: YamlPos}> | undefined
    if (this.track) this.track.set(isList ? list : map, (positions = new Map()))
    let q = this.flowSpace(p + 1)
    for (;;) {
      if (q >= this.end) this.failAt(p, `${isList ? 'a [list' : 'a {mapping'} is not closed`)
      if (t.charCodeAt(q) === close) {
        this.after = q + 1
        return isList ? list : map
      }
      if (isList) {
        positions?.set(list.length, {value: [this.line, q - this.lineStart + 1]})
        list.push(this.flowValue(q, depth))
        q = this.flowSpace(this.after)
      } else {
        const keyPos: YamlPos = [this.line, q - this.lineStart + 1]
        const key = this.flowKey(q)
        const afterKey = this.after
        if (Object.prototype.hasOwnProperty.call(map, key)) this.failAt(q, `duplicate key "${key}"`)
        if (key === '__proto__') this.failAt(q, 'the key "__proto__" is not allowed')
        q = this.flowSpace(afterKey)
        if (t.charCodeAt(q) !== COLON) this.failAt(q, 'a ":" expected after the key')
        q = this.flowSpace(q + 1)
        positions?.set(key, {key: keyPos, value: [this.line, q - this.lineStart + 1]})
        map[key] = this.flowValue(q, depth)
        q = this.flowSpace(this.after)
      }
      const c = t.charCodeAt(q)
      if (q >= this.end) this.failAt(p, `${isList ? 'a [list' : 'a {mapping'} is not closed`)
      if (c === 44 /* , */) q = this.flowSpace(q + 1)
      else if (c !== close) this.failAt(q, `a "," or "${String.fromCharCode(close)}" expected`)
    }
  }

  /** Skips spaces, line breaks and comments inside a flow collection. */
  private flowSpace(q: number): number {
    const t = this.text
    for (;;) {
      const c = t.charCodeAt(q)
      if (c === SPACE || c === TAB) q++
      else if (c === NL) {
        this.lineStart = q + 1
        this.line++
        q++
      } else if (c === HASH && /[ \t\n]/.test(t[q - 1])) {
        q = this.lineEnd(q)
      } else return q
    }
  }

  private flowKey(q: number): string {
    const c = this.text.charCodeAt(q)
    if (c === 34) return this.doubleQuoted(q, -1)
    if (c === 39) return this.singleQuoted(q, -1)
    return String(this.flowPlain(q, true))
  }

  private flowValue(q: number, depth: number): unknown {
    const c = this.text.charCodeAt(q)
    if (c === 34) return this.doubleQuoted(q, -1)
    if (c === 39) return this.singleQuoted(q, -1)
    if (c === 91 || c === 123) return this.flow(q, depth + 1)
    this.refuseIndicator(q)
    return this.flowPlain(q, false)
  }

  /**
   * A plain scalar inside a flow collection: up to `,`, `]`, `}`, `: ` (for keys: `:`) or a comment; it may continue
   * on the next lines (folded, like a block plain scalar).
   */
  private flowPlain(q: number, key: boolean): unknown {
    const t = this.text
    let text = ''
    let start = q
    for (;;) {
      let e = start
      for (; e < this.end; e++) {
        const c = t.charCodeAt(e)
        if (c === 44 || c === 93 || c === 125 || c === 91 || c === 123 || c === NL) break
        if (c === COLON && (key || this.endsToken(e + 1))) break
        if (c === HASH && (t.charCodeAt(e - 1) === SPACE || t.charCodeAt(e - 1) === TAB)) break
      }
      let s = e
      while (s > start && (t.charCodeAt(s - 1) === SPACE || t.charCodeAt(s - 1) === TAB)) s--
      text += t.slice(start, s)
      if (t.charCodeAt(e) !== NL || key) {
        if (text === '') this.failAt(q, 'a value expected')
        this.after = e
        return key ? text : this.resolve(text, q)
      }
      // A line break: the scalar goes on when the next line with content does not start with a flow indicator.
      let breaks = 0
      let r = e
      let lineStart = this.lineStart
      let line = this.line
      while (t.charCodeAt(r) === NL) {
        lineStart = r + 1
        line++
        r++
        while (t.charCodeAt(r) === SPACE || t.charCodeAt(r) === TAB) r++
        if (t.charCodeAt(r) === NL) breaks++
      }
      const c = t.charCodeAt(r)
      if (r >= this.end || c === 44 || c === 93 || c === 125 || c === HASH || c === COLON) {
        if (text === '') this.failAt(q, 'a value expected')
        this.after = e
        return this.resolve(text, q)
      }
      this.lineStart = lineStart
      this.line = line
      text += breaks === 0 ? ' ' : '\n'.repeat(breaks)
      start = r
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  private failAt(offset: number, message: string, text = this.text): never {
    // The line and column of `offset`, counted from the current line (offsets never lie before it).
    let line = this.line
    let start = this.lineStart
    if (offset < start) {
      line = 1
      start = 0
    }
    for (let i = text.indexOf('\n', start); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++
      start = i + 1
    }
    throw new YamlSyntaxError(
      message.startsWith('not a readable') ? message : `not a readable hand-off file: ${message}`,
      line,
      offset - start + 1,
    )
  }
}
