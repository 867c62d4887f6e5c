import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadRules} from '../../src/rules/load.js'
import {lines, ROOT, run, tempDir} from './helpers.js'

const tmp = tempDir('fa-rules-cmd-')
afterAll(tmp.remove)

const HEAD = `pack: mine
rules:
  - id: mine/nw-anywhere
    severity: low
    needs: inventory
    title: {en: Any NW terminal, ja: すべてのNW端末}
    rationale: {en: Inventory review, ja: 棚卸し}
    remediation: {en: Nothing, ja: なし}
    message: {en: "NW terminal {terminal.id}", ja: "NW端末 {terminal.id}"}
`

function pack(name: string, when: string): string {
  const dir = join(tmp.dir, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'mine.yaml'), `${HEAD}${when}`)
  return dir
}

describe.concurrent('rules list / rules show', () => {
  it('rules list prints a header row, then one aligned line per rule', async () => {
    const r = await run(['rules', 'list'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const [header, ...out] = lines(r.stdout)
    expect(header).toMatch(/^ID {2,}SEVERITY {2}NEEDS {6}TITLE$/)
    const count = (await loadRules()).length
    expect(count).toBeGreaterThanOrEqual(23)
    expect(out).toHaveLength(count)
    expect(out[0]).toMatch(
      /^collect\/removed-still-answers {2,}high {6}facts {6}Terminal declared removed still answers$/,
    )
    expect(
      out.filter((l) =>
        /^placement\/nw-terminal-in-shared-zone {2,}critical {2}inventory {2}NW-role terminal in a zone that retail people can reach$/.test(
          l,
        ),
      ),
    ).toHaveLength(1)
    // one column for severity, one for needs, on every line
    expect(new Set(out.map((l) => l.search(/ {2}(critical|high|medium|low|info) /))).size).toBe(1)
    expect(new Set(out.map((l) => l.search(/ {2}(inventory|facts|ledger|logs) /))).size).toBe(1)
  })

  it('rules list --needs inventory --lang ja lists the CI rules in Japanese', async () => {
    const r = await run(['rules', 'list', '--needs', 'inventory', '--lang', 'ja'])
    expect(r.code).toBe(0)
    const [header, ...out] = lines(r.stdout)
    expect(header).toMatch(/^ID {2,}重大度 {2}必要なもの {2}題名$/)
    expect(out.map((l) => l.split(/\s+/)[0]).filter((id) => !id.startsWith('ledger/'))).toEqual([
      'declaration/duplicate-identity',
      'placement/declared-address-outside-site',
      'placement/nw-terminal-in-shared-zone',
      'placement/retail-owner-nw-role',
      'policy/idcard-required',
      'waiver/approver-not-nw',
      'waiver/expired',
      'waiver/too-long',
    ])
    expect(r.stdout).toContain('小売側の人が立ち入れるエリアにNW設定の端末')
  })

  it('rules list --pack and --severity filter (comma-separated or repeated); Japanese severities line up', async () => {
    const r = await run([
      'rules',
      'list',
      '--pack',
      'placement,policy',
      '--severity',
      'critical',
      '--severity',
      'high',
      '--lang',
      'ja',
    ])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual([
      'ID                                    重大度  必要なもの  題名',
      expect.stringMatching(/^placement\/nw-terminal-in-shared-zone {2}重大 {4}inventory {3}\S/),
      expect.stringMatching(/^placement\/retail-owner-nw-role {8}高 {6}inventory {3}\S/),
      expect.stringMatching(/^policy\/idcard-not-enforced {12}高 {6}facts {7}\S/),
      expect.stringMatching(/^policy\/idcard-required {16}高 {6}inventory {3}\S/),
    ])
    const json = JSON.parse((await run(['rules', 'list', '--pack', 'waiver', '--json'])).stdout)
    expect(json.map((x: {id: string}) => x.id)).toEqual(['waiver/approver-not-nw', 'waiver/expired', 'waiver/too-long'])
  })

  it('rules list --pack with an unknown pack is exit 2 naming the nearest pack and the known ones', async () => {
    const r = await run(['rules', 'list', '--pack', 'placment'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      '--pack: unknown rule pack "placment" (did you mean "placement"? packs: collect, declaration, ledger, logs, placement, policy, reconcile, waiver) (E_REF)\n',
    )
  })

  it('rules list --json prints the summaries', async () => {
    const r = await run(['rules', 'list', '--json'])
    expect(r.code).toBe(0)
    const rules = JSON.parse(r.stdout)
    expect(rules).toHaveLength((await loadRules()).length)
    expect(rules.find((x: {id: string}) => x.id === 'reconcile/role-mismatch')).toMatchObject({
      severity: 'high',
      needs: 'facts',
      barrier: true,
      title: {en: "Client's actual role differs from the declared role"},
    })
  })

  it('rules show ID prints the rule with its condition and where it is defined', async () => {
    const r = await run(['rules', 'show', 'placement/nw-terminal-in-shared-zone'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const out = r.stdout.replaceAll(ROOT, '<root>')
    expect(lines(out)[0]).toBe(
      'placement/nw-terminal-in-shared-zone  (critical, needs inventory, barrier rule: waivers need an NW-side approver)',
    )
    expect(lines(out)[2]).toBe('NW-role terminal in a zone that retail people can reach')
    expect(out).toMatch(/^Rationale: Hachinohe office \(2018\)/m)
    expect(out).toMatch(/^Remediation: Move the terminal/m)
    expect(out).toContain("when: terminal.status != 'removed' && terminal.role == 'nw' && zone.retail_reachable\n")
    expect(lines(out).at(-1)).toBe('defined at <root>/rules/placement.yaml:8:5')
  })

  it('rules show --lang ja: the header line and labels in Japanese too', async () => {
    const r = await run(['rules', 'show', 'placement/nw-terminal-in-shared-zone', '--lang', 'ja'])
    expect(r.code).toBe(0)
    const out = lines(r.stdout.replaceAll(ROOT, '<root>'))
    expect(out[0]).toBe(
      'placement/nw-terminal-in-shared-zone  （重大、必要なもの: inventory、バリアルール: 免除にはNW側の承認者が必要）',
    )
    expect(out).toContain("条件 (CEL): terminal.status != 'removed' && terminal.role == 'nw' && zone.retail_reachable")
    expect(out.at(-1)).toBe('定義: <root>/rules/placement.yaml:8:5')
  })

  it('rules show of an evaluator rule names the evaluator', async () => {
    const r = await run(['rules', 'show', 'declaration/duplicate-identity', '--lang', 'ja'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('評価関数: duplicate-identity\n')
    expect(r.stdout).toContain('根拠: ')
  })

  it('rules show unknown/x is exit 2', async () => {
    const r = await run(['rules', 'show', 'unknown/x'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('unknown rule "unknown/x" (see `fleet-audit rules list`) (E_REF)\n')
  })

  it('rules show without an id is exit 2 and names the missing argument on one line', async () => {
    const r = await run(['rules', 'show'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/^Missing 1 required arg: id\b.*\(E_FLAG\)\n$/)
  })

  it('--rules DIR adds a user rule that fires in an audit', async () => {
    const dir = pack('ok', "    when: terminal.role == 'nw' && terminal.status == 'active'\n")
    const [list, audit] = await Promise.all([
      run(['rules', 'list', '--rules', dir]),
      run([
        'inventory',
        'validate',
        '-i',
        'test/fixtures/inventories/valid.yaml',
        '--rules',
        dir,
        '--now',
        '2026-11-27',
        '--format',
        'json',
        '--fail-on',
        'low',
      ]),
    ])
    expect(lines(list.stdout)).toHaveLength((await loadRules()).length + 2) // header + the user rule
    expect(list.stdout).toContain('mine/nw-anywhere')
    expect(audit.code).toBe(1)
    expect(
      JSON.parse(audit.stdout).findings.map((f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`),
    ).toEqual(['T-1 mine/nw-anywhere'])
  })

  it('a duplicate rule id or an unknown evaluator in a user pack is exit 2, each with its position', async () => {
    const dir = join(tmp.dir, 'dup')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'placement.yaml'),
      `${HEAD.replace('pack: mine', 'pack: placement').replace('mine/nw-anywhere', 'placement/retail-owner-nw-role')}    when: "true"\n` +
        `  - id: placement/custom\n    severity: low\n    needs: inventory\n    title: {en: t, ja: 題}\n    rationale: {en: r, ja: 理}\n    remediation: {en: m, ja: 対}\n    evaluator: no-such-check\n`,
    )
    const r = await run(['rules', 'list', '--rules', dir])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr.replaceAll(ROOT, '<root>'))).toEqual([
      `${join(dir, 'placement.yaml')}:3:5 duplicate rule id "placement/retail-owner-nw-role" (first declared at <root>/rules/placement.yaml:34:5) (E_DUPLICATE)`,
      expect.stringMatching(
        new RegExp(
          `^${join(dir, 'placement.yaml')}:17:16 unknown evaluator "no-such-check" \\(known: .*\\) \\(E_REF\\)$`,
        ),
      ),
    ])
  })

  it('rules show escapes control characters and bidi overrides from a user pack, including the condition', async () => {
    const dir = join(tmp.dir, 'esc')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'mine.yaml'),
      `${HEAD.replace('{en: Any NW terminal,', '{en: "Any \\e[2J terminal",')}    when: "terminal.hostname == '\\e[2Jx\\u202e'"\n`,
    )
    const r = await run(['rules', 'show', 'mine/nw-anywhere', '--rules', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Any \\u001b[2J terminal')
    expect(r.stdout).not.toMatch(/[\u001b\u202e]/)
    expect(r.stdout).toContain("when: terminal.hostname == '\\u001b[2Jx\\u202e'")
  })

  it('a CEL syntax error in a user pack is exit 2 with the rule file line and column', async () => {
    const dir = pack('bad', "    when: terminal.role = 'nw'\n")
    const r = await run([
      'audit',
      '-i',
      'inventories/tohoku-example',
      '--facts',
      'inventories/tohoku-example/facts',
      '--rules',
      dir,
      '--now',
      '2026-11-27',
    ])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr)).toHaveLength(1)
    // line 10 is `    when: terminal.role = 'nw'`; the lone `=` is column 25
    expect(r.stderr).toMatch(new RegExp(`^${join(dir, 'mine.yaml')}:10:25 rules\\[0\\]\\.when: .* \\(E_CEL\\)\\n$`))
  })
})
