import stringWidth from 'string-width'
import {describe, expect, it} from 'vitest'

import {tableWidth} from '../../../commands/_lib/report.js'
import {displayWidth, padDisplay, wrapText} from '../../../src/report/width.js'

describe('display width and wrapping', () => {
  it('counts wide (Japanese) characters as two columns', () => {
    expect(displayWidth('abc')).toBe(3)
    expect(displayWidth('共用カウンター')).toBe(14)
    expect(padDisplay('重大', 6)).toBe('重大  ')
  })

  it.each([
    ['NW-role terminal in 共用カウンター (counter), reachable by tohoku-epco', 30],
    ['NW設定の端末が 共用カウンター（窓口カウンター）にあり、tohoku-epco の人が利用できます', 20],
    ['averyveryverylongwordthatdoesnotfitanywhere and more', 10],
    ['client is set to nw, declared retail', 80],
  ])('wraps %j to %i columns without losing or cutting a character', (text, width) => {
    const lines = wrapText(text, width)
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(width)
    expect(lines.join('').replaceAll(' ', '')).toBe(text.replaceAll(' ', ''))
  })

  it('breaks at spaces between words, not inside them', () => {
    expect(wrapText('reachable by tohoku-epco, retail-contractor-b', 30)).toEqual([
      'reachable by tohoku-epco,',
      'retail-contractor-b',
    ])
  })

  it('never starts a Japanese line with closing punctuation (kinsoku)', () => {
    const lines = wrapText('あいうえおかきくけ、こさしすせそ', 10)
    expect(lines.every((l) => !/^[、。）]/.test(l))).toBe(true)
  })

  it('measures as string-width does, with or without its shortcuts (ASCII, single characters)', () => {
    const samples = ['', 'abc', 'T-1 used 3 times', ' ~', '共', 'ｱ', '👍', '👨‍👩‍👧', 'é', 'e\u0301', '\u0301', '\u200b']
    samples.push(
      '\u001b[31mred\u001b[0m',
      '\t',
      '\u007f',
      'a共b',
      '共用カウンター',
      '\u202e',
      String.fromCodePoint(0x20000),
    )
    // Twice: the second time from the cache of single characters.
    for (const text of [...samples, ...samples])
      expect(displayWidth(text), JSON.stringify(text)).toBe(stringWidth(text))
  })

  it('an empty message is one empty line', () => {
    expect(wrapText('', 10)).toEqual([''])
  })
})

describe('tableWidth', () => {
  it('COLUMNS wins, at least 40; else the terminal; piped or to a file, a fixed 120', () => {
    expect(tableWidth(false, {COLUMNS: '80'}, {isTTY: true, columns: 200})).toBe(80)
    expect(tableWidth(false, {COLUMNS: '10'}, {})).toBe(40)
    expect(tableWidth(false, {COLUMNS: 'wide'}, {isTTY: true, columns: 200})).toBe(200)
    expect(tableWidth(false, {}, {isTTY: true, columns: 200})).toBe(200)
    expect(tableWidth(false, {}, {isTTY: false})).toBe(120)
    expect(tableWidth(true, {}, {isTTY: true, columns: 200})).toBe(120)
  })
})
