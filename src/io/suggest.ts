/**
 * "Did you mean …?" for mistyped ids, commands and flags: the known names closest to what was typed, by edit
 * distance, within a third of its length (at least 2), nearest first.
 */
export function nearest(typed: string, known: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(typed.length / 3))
  const scored: {name: string; d: number}[] = []
  for (const name of new Set(known)) {
    const d = editDistance(typed, name)
    if (d <= max) scored.push({name, d})
  }

  return scored
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name)
}

/** Levenshtein distance (insert, delete, substitute, each 1). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }

  return row[b.length]
}
