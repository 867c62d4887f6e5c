import {afterAll, describe, expect, it} from 'vitest'

import {buildPageData, markerState} from '../../../src/report/html-model.js'
import {jsonForScript} from '../../../src/report/html.js'
import {reporters} from '../../../src/report/index.js'
import type {Finding} from '../../../src/model/types.js'
import {allOk, audit, baseInventory, cleanup, okFacts, terminal} from '../scenario.js'

afterAll(cleanup)

const f = (severity: Finding['severity'], waived = false): Finding => ({
  rule: 'x/y',
  severity,
  terminal: 'T',
  message: {en: 'm', ja: 'm'},
  location: {file: 'f', line: 1, column: 1},
  waiver: waived ? {id: 'W', expires: '2026-12-01', approver: 'p'} : undefined,
})

describe('html report data', () => {
  it('colours a marker by its worst unwaived finding, then waived, then not verified, and only then clean', () => {
    const cases: [Finding[], boolean, string][] = [
      [[f('low'), f('critical'), f('high')], false, 'critical'],
      [[f('critical', true), f('medium')], false, 'medium'],
      [[f('critical', true)], false, 'waived'],
      [[], true, 'unverified'],
      [[], false, 'clean'],
      [[f('info')], true, 'info'],
    ]
    for (const [findings, unverified, state] of cases) expect(markerState(findings, unverified)).toBe(state)
  })

  it('embeds JSON that cannot close its script element and is still the same JSON', () => {
    const value = {a: '</script><script>alert(1)</script>', b: '<!--', c: 'x & y > z', d: '\u2028\u2029'}
    const text = jsonForScript(value)
    expect(text).not.toMatch(/[<>&\u2028\u2029]/)
    expect(JSON.parse(text)).toEqual(value)
  })

  it('makes every string, keys included, visible-safe: control characters and bidi overrides escaped, length bounded', async () => {
    const inv = baseInventory()
    const evil = 'a\u202Eb\u001b[2J'
    const facts = {...allOk(inv), 'T-RT': {...okFacts(inv, 'T-RT'), meta: {[evil]: 'x'.repeat(5000)}}}
    const result = await audit(inv, {facts})
    const data = buildPageData(result, 'en', {})
    const text = JSON.stringify(data)
    expect(text).not.toMatch(/[\u202E\u001b]/)
    // Without details (how any command with a result can render it) the map comes from the result alone.
    expect(data.terminals.map((t) => t.id).sort()).toEqual(result.terminals.map((t) => t.id).sort())
    expect(data.sites[0].zones.every((z) => z.reach === 'unknown')).toBe(true)
    expect(data.terminals.every((t) => t.state !== 'clean')).toBe(true)
  })

  it('renders one standalone page in the chosen language, with a CSP that allows no request', async () => {
    const inv = baseInventory()
    terminal(inv, 'T-NW').zone = 'z-shared'
    const result = await audit(inv, {facts: allOk(inv)})
    const html = reporters.html.render(result, {lang: 'ja', color: false, cwd: process.cwd()})
    expect(html).toMatch(/^<!doctype html>\n<html lang="ja">/)
    expect(html).toContain("default-src 'none'")
    expect(html).not.toMatch(/\s(src|href)=/)
  })
})
