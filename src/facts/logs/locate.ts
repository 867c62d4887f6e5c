import {createReadStream} from 'node:fs'
import {createInterface} from 'node:readline'
import {createGunzip} from 'node:zlib'

/**
 * Finds the lines that hold given raw values (the first of each), to point at rows the engine read but could not
 * use (a bad time, an empty terminal). The engine does not number the rows it reads, so this second, bounded pass
 * runs only for files that had such rows, and stops as soon as every value is found.
 */
export async function locateLines(
  path: string,
  gzip: boolean,
  needles: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>()
  const wanted = [...new Set(needles)]
  if (wanted.length === 0) return found
  const raw = createReadStream(path, {highWaterMark: 1 << 20})
  const input = gzip ? raw.pipe(createGunzip()) : raw
  const lines = createInterface({input, crlfDelay: Number.POSITIVE_INFINITY})
  let n = 0
  try {
    for await (const line of lines) {
      n++
      for (const w of wanted) {
        if (found.has(w)) continue
        // An empty value is found on the first data line that has an empty field where the value would be.
        if (w === '' ? /(^|[,\t])\s*([,\t]|$)/.test(line) && n > 1 : line.includes(w)) found.set(w, n)
      }

      if (found.size === wanted.length) break
    }
  } finally {
    lines.close()
    raw.destroy()
  }

  return found
}
