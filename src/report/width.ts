import stringWidth from 'string-width'

/**
 * Display width in terminal columns: wide (CJK) characters and emoji count 2, combining marks 0. The same
 * function cli-table3 pads with, so our wrapping and its borders agree.
 */
export function displayWidth(text: string): number {
  // Printable ASCII is one column a character; string-width first strips escape sequences with a regular expression
  // it builds on every call, which made a table of 10,000 findings take 3 s, most of it measuring single characters.
  if (PRINTABLE_ASCII.test(text)) return text.length
  if (text.length > 2) return stringWidth(text)
  let w = widths.get(text)
  if (w === undefined) {
    w = stringWidth(text)
    if (widths.size < 10_000) widths.set(text, w)
  }

  return w
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
/** Widths of single characters (a surrogate pair is two UTF-16 units), as they are measured again and again. */
const widths = new Map<string, number>()

/** Pads to a display width (String.padEnd counts UTF-16 units, which misaligns Japanese). */
export function padDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)))
}

// Characters that may not begin a line in Japanese (kinsoku): they stay with the character before them.
const NO_LINE_START = new Set([...'、。，．）」』】〉》〕・：；！？ー…'])

/**
 * Wraps text to lines of at most `width` columns: at spaces between words, between any two wide characters, and
 * inside a word only when the word alone is wider than a line. Never cuts a character in half.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width)
  const lines: string[] = []
  let line = ''
  const push = () => {
    lines.push(line.trimEnd())
    line = ''
  }

  for (const token of tokens(text)) {
    if (/^\s+$/.test(token)) {
      if (line !== '') line += ' '
      continue
    }

    if (displayWidth(line + token) <= w) {
      line += token
      continue
    }

    if (line.trim() !== '') push()
    line = ''
    // A word wider than a whole line is cut where it must be.
    let rest = token
    while (displayWidth(rest) > w) {
      let cut = ''
      for (const ch of rest) {
        if (displayWidth(cut + ch) > w) break
        cut += ch
      }

      lines.push(cut)
      rest = rest.slice(cut.length)
    }

    line = rest
  }

  if (line.trim() !== '' || lines.length === 0) push()
  return lines
}

/** Words, runs of spaces, and single wide characters (each a place a line may break), with kinsoku applied. */
function tokens(text: string): string[] {
  const out: string[] = []
  for (const ch of text) {
    const last = out.at(-1)
    const wide = displayWidth(ch) > 1
    const space = /\s/.test(ch)
    if (last !== undefined && (NO_LINE_START.has(ch) || displayWidth(ch) === 0)) out[out.length - 1] = last + ch
    else if (last !== undefined && !wide && !space && !/\s/.test(last) && displayWidth(last.at(-1)!) <= 1)
      out[out.length - 1] = last + ch
    else if (last !== undefined && space && /^\s+$/.test(last)) out[out.length - 1] = last + ch
    else out.push(ch)
  }

  return out
}
