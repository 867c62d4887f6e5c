import {Document, isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument} from 'yaml'

import type {Problem} from '../model/errors.js'
import type {SourcePosition} from '../model/types.js'
import {DEFAULT_MAX_FILE_SIZE, readTextFile} from './read.js'
import {type FastNode, type FastResult, fastOffsetAt, fastParseYaml} from './yaml-fast.js'

/** Deeper than any honest inventory; deep enough to stop a nesting bomb before ajv recurses into it. */
const MAX_DEPTH = 64
/** YAML aliases are legitimate for shared defaults; a few hundred is plenty, a billion laughs is not. */
const MAX_ALIAS_COUNT = 200

/**
 * A parsed YAML file that still knows where every value came from. A file in the plain subset that inventories use is
 * read by the fast path (`yaml-fast.ts`): then `fast` holds the offsets of its nodes, and `doc` is parsed by the
 * library only if something asks for it (an error message that needs a scalar's style, say).
 */
export interface YamlSource {
  file: string
  readonly doc: Document.Parsed
  readonly lineCounter: LineCounter
  value: unknown
  text: string
  fast?: FastResult
}

/** A node of either reading: the library's `Node`, or the fast path's offsets. Read with the functions below. */
export type YamlNode = unknown

/**
 * The library's options. Duplicate keys are found by {@link duplicateKeyErrors} (or by the fast path), not by the
 * library's `uniqueKeys`, which compares each key with every earlier key of its map: a hostile 16 MB file of one map
 * would take hours (100,000 flow keys: 90 s).
 */
const PARSE_OPTIONS = {uniqueKeys: false, strict: true, prettyErrors: true, version: '1.2'} as const

export type YamlResult = {ok: true; source: YamlSource} | {ok: false; problems: Problem[]}

/** Reads and parses one YAML file with every hostile-input guard on; never throws for bad input. */
export async function readYamlFile(file: string, maxBytes = DEFAULT_MAX_FILE_SIZE): Promise<YamlResult> {
  const text = await readTextFile(file, maxBytes)
  if (!text.ok) return {ok: false, problems: [text.problem]}
  return parseYamlText(file, text.text)
}

/**
 * Like `readYamlFile`, but a file outside the fast path's subset is not parsed: `{declined: size}` says so (and how
 * large it is), for a caller that would rather hand such files to worker threads.
 */
export async function readYamlFileFast(
  file: string,
  maxBytes = DEFAULT_MAX_FILE_SIZE,
): Promise<YamlResult | {declined: number}> {
  const text = await readTextFile(file, maxBytes)
  if (!text.ok) return {ok: false, problems: [text.problem]}
  const fast = fastParseYaml(text.text)
  if (!fast) return {declined: Buffer.byteLength(text.text)}
  return {ok: true, source: fastSource(file, text.text, fast)}
}

/** Parses YAML text; duplicate keys, alias bombs, deep nesting and empty documents are problems with positions. */
export function parseYamlText(file: string, text: string): YamlResult {
  const fast = fastParseYaml(text)
  if (fast) return {ok: true, source: fastSource(file, text, fast)}
  return parseYamlDocument(file, text)
}

/** The fast path's reading; the library's Document is parsed from the same text on first use. */
function fastSource(file: string, text: string, fast: FastResult): YamlSource {
  const lineCounter = new LineCounter()
  lineCounter.lineStarts = fast.lineStarts
  let doc: Document.Parsed | undefined
  return {
    file,
    text,
    value: fast.value,
    fast,
    lineCounter,
    get doc() {
      doc ??= parseDocument(text, PARSE_OPTIONS)
      return doc
    },
  }
}

/** The `yaml` library's full parse, with every guard: the reading of any file outside the fast path's subset. */
export function parseYamlDocument(file: string, text: string): YamlResult {
  const tooDeep = flowTooDeep(text)
  if (tooDeep !== undefined) {
    const before = text.slice(0, tooDeep)
    const line = before.split('\n').length
    const column = tooDeep - before.lastIndexOf('\n')
    return {
      ok: false,
      problems: [{code: 'E_TOO_DEEP', message: `nesting deeper than ${MAX_DEPTH} levels`, file, line, column}],
    }
  }

  const lineCounter = new LineCounter()
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, {lineCounter, ...PARSE_OPTIONS})
  } catch (error) {
    // The parser recurses on nested flow collections; a nesting bomb ends here instead of crashing.
    return {ok: false, problems: [{code: 'E_YAML', message: `cannot parse: ${(error as Error).message}`, file}]}
  }

  // The library's errors in its own order, each duplicate key placed before the first of them that comes later in
  // the text (where the library's own check would have reported it).
  const duplicates = duplicateKeyErrors(doc, lineCounter)
  const errors: {code: string; message: string; line?: number; column?: number}[] = []
  let d = 0
  for (const e of doc.errors) {
    while (d < duplicates.length && duplicates[d].at < e.pos[0]) errors.push(duplicates[d++])
    errors.push({code: 'E_YAML', message: firstLine(e.message), line: e.linePos?.[0].line, column: e.linePos?.[0].col})
  }

  errors.push(...duplicates.slice(d))
  const problems: Problem[] = errors.map(({code, message, line, column}) => ({code, message, file, line, column}))
  if (problems.length > 0) return {ok: false, problems}

  if (doc.contents === null) return {ok: false, problems: [{code: 'E_EMPTY', message: 'the file is empty', file}]}
  const tags = tagProblems(doc, lineCounter, text, file)
  if (tags.length > 0) return {ok: false, problems: tags}

  const deep = findTooDeep(doc.contents as Node)
  if (deep) {
    const {line, col} = lineCounter.linePos(deep.range?.[0] ?? 0)
    return {
      ok: false,
      problems: [{code: 'E_TOO_DEEP', message: `nesting deeper than ${MAX_DEPTH} levels`, file, line, column: col}],
    }
  }

  let value: unknown
  try {
    value = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT})
  } catch (error) {
    return {ok: false, problems: [{code: 'E_ALIAS', message: `refused: ${firstLine((error as Error).message)}`, file}]}
  }

  return {ok: true, source: {file, doc, lineCounter, value, text}}
}

/**
 * The library's `uniqueKeys` check in linear time: a key is a duplicate when an earlier key of the same map is a
 * scalar with the same value (`===`, so two `.nan` keys are not), reported as the library reports it, with the
 * same message, at the later key's start.
 */
function duplicateKeyErrors(
  doc: Document.Parsed,
  lineCounter: LineCounter,
): {at: number; code: string; message: string; line: number; column: number}[] {
  const out: {at: number; code: string; message: string; line: number; column: number}[] = []
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (isMap(node)) {
      const seen = new Set<unknown>()
      for (const pair of node.items) {
        const key = pair.key
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) {
            const at = key.range?.[0] ?? 0
            const {line, col} = lineCounter.linePos(at)
            out.push({
              at,
              code: 'E_DUPLICATE_KEY',
              message: 'Map keys must be unique',
              line,
              column: col,
            })
          } else seen.add(key.value)
        }

        stack.push(pair.key, pair.value)
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push(item)
  }

  return out.sort((a, b) => a.at - b.at)
}

/** The tags of YAML 1.2's core schema, plus `!` (the non-specific tag, which only says "a plain string"). */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`).concat('!'),
)

/**
 * Every tag outside the core schema (`!!js/function`, `!!binary`, `!custom`, ...) at the position of the tag. The `yaml`
 * library only warns about unknown tags and then reads the value as a plain string; fleet-audit's inputs are data, so
 * a tag that asks for anything else means the file was written for another program (or to trick this one): exit 2.
 * Shared by every YAML reader (inventory, rules, waivers, config, hand-off files).
 */
export function tagProblems(doc: Document.Parsed, lineCounter: LineCounter, text: string, file?: string): Problem[] {
  const problems: Problem[] = []
  // The nodes in document order (a pair's key before its value), as the library's `visit` would give them, but
  // without the frozen path array `visit` builds for every node: this walk runs over every node of a large fleet.
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (isMap(node) || isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i])
    } else if (isPair(node)) {
      stack.push(node.value, node.key)
    }

    if (!isNode(node) || node.tag === undefined || CORE_TAGS.has(node.tag)) continue
    const {line, col} = lineCounter.linePos(tagOffset(text, node.range?.[0] ?? 0))
    const shown = node.tag.replace(/^tag:yaml\.org,2002:/, '!!')
    problems.push({
      code: 'E_YAML_TAG',
      message: `YAML tag "${shown}" is not allowed: only the core schema's tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
      file,
      line,
      column: col,
    })
  }

  return problems
}

/** The tag is written before its value (possibly with an anchor between): the last `!`/`!!` before the value. */
function tagOffset(text: string, valueStart: number): number {
  let i = text.lastIndexOf('!', Math.max(0, valueStart - 1))
  if (i === -1) return valueStart
  while (i > 0 && text[i - 1] === '!') i--
  // `!prefix!suffix` (a named handle): go back to its first `!`.
  const start = text.lastIndexOf('!', i - 1)
  if (start !== -1 && !/[\s,[\]{}]/.test(text.slice(start, i))) i = start
  return i
}

/** Position of the value at a JSON path (e.g. ajv's instancePath segments); the closest existing ancestor otherwise. */
export function positionAt(source: YamlSource, path: readonly (string | number)[], key = false): SourcePosition {
  if (source.fast) {
    const {line, col} = source.lineCounter.linePos(fastOffsetAt(source.fast.tree, path, key))
    return {file: source.file, line, column: col}
  }

  let node: unknown = source.doc.contents
  let best = node as Node | null
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
      if (!pair) break
      if (key && seg === path.at(-1)) {
        best = pair.key as Node
        break
      }

      node = pair.value
    } else if (isSeq(node)) {
      node = node.items[Number(seg)]
    } else break

    if (node && (node as Node).range) best = node as Node
  }

  const offset = best?.range?.[0] ?? 0
  const {line, col} = source.lineCounter.linePos(offset)
  return {file: source.file, line, column: col}
}

/** Position of a node already in hand (cheaper than walking a path from the root for every field). */
export function positionOfNode(source: YamlSource, node: YamlNode): SourcePosition {
  const {line, col} = source.lineCounter.linePos(offsetOf(source, node))
  return {file: source.file, line, column: col}
}

function offsetOf(source: YamlSource, node: YamlNode): number {
  if (source.fast) return node === undefined ? 0 : typeof node === 'number' ? node : (node as {start: number}).start
  return (node as Node | undefined)?.range?.[0] ?? 0
}

/** The node at a path (`undefined` if there is none). */
export function nodeAt(source: YamlSource, path: readonly (string | number)[]): YamlNode {
  if (!source.fast) return source.doc.getIn(path, true)
  let node: FastNode | undefined = source.fast.tree
  for (const seg of path) {
    if (node === undefined || typeof node === 'number') return undefined
    node = 'keys' in node ? node.values[node.keys.indexOf(String(seg))] : node.items[Number(seg)]
  }

  return node
}

/** The items of a sequence node (`undefined` for anything else). */
export function seqItems(source: YamlSource, node: YamlNode): YamlNode[] | undefined {
  if (source.fast)
    return typeof node === 'object' && node !== null && 'items' in node
      ? (node as {items: FastNode[]}).items
      : undefined
  return isSeq(node) ? node.items : undefined
}

/** Calls `fn` with each plain key of a mapping node and its value's node (the key's node for a missing value). */
export function forEachField(source: YamlSource, node: YamlNode, fn: (key: string, value: YamlNode) => void): void {
  if (source.fast) {
    if (typeof node !== 'object' || node === null || !('keys' in node)) return
    const {keys, values} = node as {keys: string[]; values: FastNode[]}
    for (let i = 0; i < keys.length; i++) fn(keys[i], values[i])
    return
  }

  if (isMap(node))
    for (const pair of node.items) if (isScalar(pair.key)) fn(String(pair.key.value), pair.value ?? pair.key)
}

/**
 * Positions of many nodes read in document order (the fields of thousands of terminals): a cursor moves forward over
 * the line starts instead of a binary search per node. Gives exactly `positionOfNode`'s answer; a node before the
 * cursor is looked up the ordinary way.
 */
export function positionReader(source: YamlSource): (node: YamlNode) => SourcePosition {
  const starts = source.lineCounter.lineStarts
  const {file} = source
  let i = 0
  return (node) => {
    const offset = offsetOf(source, node)
    if (i >= starts.length || starts[i] > offset) return positionOfNode(source, node)
    while (i + 1 < starts.length && starts[i + 1] <= offset) i++
    return {file, line: i + 1, column: offset - starts[i] + 1}
  }
}

/** Splits an ajv instancePath (`/terminals/3/zone`) into segments. */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/**
 * Offset of the first flow collection ([ or {) nested deeper than MAX_DEPTH, outside quotes and comments.
 * The parser recurses on flow collections, so this must be refused before parsing, not caught as a stack overflow.
 */
function flowTooDeep(text: string): number | undefined {
  let depth = 0
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === '\\' && quote === '"') i++
      else if (ch === quote) quote = undefined
      continue
    }

    const prev = i === 0 ? '\n' : text[i - 1]
    if (ch === '#' && /\s/.test(prev)) {
      const nl = text.indexOf('\n', i)
      if (nl === -1) break
      i = nl
    } else if ((ch === '"' || ch === "'") && /[\s[{,:]/.test(prev)) quote = ch
    else if (ch === '[' || ch === '{') {
      if (++depth > MAX_DEPTH) return i
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--
  }

  return undefined
}

function findTooDeep(root: Node): Node | undefined {
  const stack: {node: unknown; depth: number}[] = [{node: root, depth: 1}]
  while (stack.length > 0) {
    const {node, depth} = stack.pop()!
    if (depth > MAX_DEPTH) return node as Node
    if (isMap(node)) for (const p of node.items) stack.push({node: p.value, depth: depth + 1})
    else if (isSeq(node)) for (const item of node.items) stack.push({node: item, depth: depth + 1})
  }

  return undefined
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
}
