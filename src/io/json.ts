/**
 * Checks what `JSON.parse` lets through silently: a key repeated in one object (JSON.parse keeps the last one, so a
 * document could say `"role": "retail"` to one reader and `"role": "nw"` to another) and nesting deeper than a limit
 * (which later recursive code, such as JSON.stringify, would overflow the stack on). One linear pass over the text,
 * run before JSON.parse; syntax errors are left to JSON.parse.
 *
 * Returns the first problem with its line and column, or undefined.
 */
export function jsonStructureProblem(text: string, maxDepth: number): string | undefined {
  const frames: {object: boolean; keys?: Set<string>; expectKey: boolean}[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    switch (c) {
      case 0x22 /* " */: {
        const end = stringEnd(text, i)
        if (end === -1) return undefined // unterminated: JSON.parse says so
        const top = frames.at(-1)
        if (top?.object && top.expectKey) {
          const raw = text.slice(i, end + 1)
          let key: string
          try {
            key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)
          } catch {
            return undefined
          }

          if (top.keys!.has(key)) return `duplicate key ${JSON.stringify(key)} at ${lineColumn(text, i)}`
          top.keys!.add(key)
          top.expectKey = false
        }

        i = end
        break
      }

      case 0x7b /* { */:
      case 0x5b /* [ */: {
        const object = c === 0x7b
        frames.push(object ? {object, keys: new Set(), expectKey: true} : {object, expectKey: false})
        if (frames.length > maxDepth) return `nested deeper than ${maxDepth} levels at ${lineColumn(text, i)}`
        break
      }

      case 0x7d /* } */:
      case 0x5d /* ] */: {
        frames.pop()
        break
      }

      case 0x2c /* , */: {
        const top = frames.at(-1)
        if (top?.object) top.expectKey = true
        break
      }

      default:
    }
  }

  return undefined
}

/** Index of the closing quote of the string starting at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let i = start + 1
  for (;;) {
    const quote = text.indexOf('"', i)
    if (quote === -1) return -1
    let backslashes = 0
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++
    if (backslashes % 2 === 0) return quote
    i = quote + 1
  }
}

function lineColumn(text: string, offset: number): string {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }

  return `line ${line}, column ${offset - lineStart + 1}`
}
