import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {stringify} from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, lines, ROOT, run, STACK_LINE, tempDir, AUDIT_EXAMPLE} from './helpers.js'

const tmp = tempDir('fa-audit-')
afterAll(tmp.remove)

const INV = join(ROOT, EXAMPLE)

/** A working folder holding fleet-audit.yaml with this text. */
function workdir(name: string, config: string): string {
  const dir = join(tmp.dir, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'fleet-audit.yaml'), config)
  return dir
}

describe.concurrent('config file, environment and flag precedence (flag > environment > config file)', () => {
  // The example's validation has critical findings: fail-on none gives 0, anything else 1.
  const validate = ['inventory', 'validate', '-i', INV, '--now', EXAMPLE_NOW, '--format', 'json']

  it('without config the default --fail-on is high (exit 1)', async () => {
    const r = await run(validate, {cwd: workdir('none', '{}\n')})
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).fail_on).toBe('high')
  })

  it('fleet-audit.yaml in the working folder sets fail-on', async () => {
    const r = await run(validate, {cwd: workdir('config', 'fail-on: none\n')})
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout).fail_on).toBe('none')
    expect(r.code).toBe(0)
  })

  it('FLEET_AUDIT_FAIL_ON overrides the config file', async () => {
    const r = await run(validate, {cwd: workdir('env', 'fail-on: none\n'), env: {FLEET_AUDIT_FAIL_ON: 'critical'}})
    expect(JSON.parse(r.stdout).fail_on).toBe('critical')
    expect(r.code).toBe(1)
  })

  it('the flag overrides both', async () => {
    const r = await run([...validate, '--fail-on', 'none'], {
      cwd: workdir('flag', 'fail-on: critical\n'),
      env: {FLEET_AUDIT_FAIL_ON: 'critical'},
    })
    expect(JSON.parse(r.stdout).fail_on).toBe('none')
    expect(r.code).toBe(0)
  })

  it('the config file can name the inventory; FLEET_AUDIT_NOW sets now', async () => {
    const r = await run(['inventory', 'validate', '--format', 'json'], {
      cwd: workdir('inv', `inventory: ${INV}\n`),
      env: {FLEET_AUDIT_NOW: '2026-11-27T23:30:00+09:00'},
    })
    expect(r.code).toBe(1)
    const result = JSON.parse(r.stdout)
    expect(result.inventory.terminals).toBe(18)
    expect(result.now).toBe('2026-11-27T14:30:00.000Z')
    expect(result.today).toBe('2026-11-27')
  })

  it('the language follows LANG unless the config file or FLEET_AUDIT_LANG says otherwise', async () => {
    const args = ['inventory', 'validate', '-i', INV, '--now', EXAMPLE_NOW]
    const [ja, configEn, envJa] = await Promise.all([
      run(args, {cwd: workdir('lang-ja', '{}\n'), env: {LANG: 'ja_JP.UTF-8'}}),
      run(args, {cwd: workdir('lang-en', 'lang: en\n'), env: {LANG: 'ja_JP.UTF-8'}}),
      run(args, {cwd: workdir('lang-env', 'lang: en\n'), env: {FLEET_AUDIT_LANG: 'ja'}}),
    ])
    expect(ja.stdout).toContain('重大度')
    expect(ja.stdout.trimEnd().split('\n').at(-1)).toBe(
      '指摘 7 件（重大 5、高 1）、免除 1 件。不合格 6 件（--fail-on high）',
    )
    expect(configEn.stdout).toContain('severity')
    expect(configEn.stdout).not.toContain('重大度')
    expect(envJa.stdout).toContain('重大度')
  })

  it('an unknown config key is exit 2 with its position', async () => {
    const r = await run(validate, {cwd: workdir('unknown', 'fail-on: none\nfailon: high\n')})
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('fleet-audit.yaml:2:1 failon: unknown key "failon" (E_SCHEMA)\n')
  })

  it('a config format no reporter offers is exit 2 with its position, not an internal error', async () => {
    const r = await run(['inventory', 'validate', '-i', INV, '--now', EXAMPLE_NOW], {
      cwd: workdir('format', 'format: xml\n'),
    })
    expect(r.stderr).not.toMatch(/internal error/)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^fleet-audit\.yaml:1:9 /)
  })
})

describe.concurrent('audit flags and input errors', () => {
  it('--now that is not a date is exit 2', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', 'next tuesday'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('--now: "next tuesday" is not a date (YYYY-MM-DD) or an ISO 8601 time with offset (E_FLAG)\n')
  })

  it('FLEET_AUDIT_NOW that is not a date is exit 2', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS], {
      env: {FLEET_AUDIT_NOW: '2026-11-27T10:00'},
    })
    expect(r.code).toBe(2)
  })

  it('an unknown --fail-on is exit 2 without a stack trace', async () => {
    const r = await run([...AUDIT_EXAMPLE, '--fail-on', 'severe'])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/severe/)
  })

  it('audit without --facts is exit 2 and says that --facts is needed', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--now', EXAMPLE_NOW])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/--facts/)
  })

  it('a nonexistent facts folder is exit 2 naming it', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--facts', 'no/such/facts', '--now', EXAMPLE_NOW])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('no/such/facts cannot read the facts folder: ENOENT (E_FACTS_DIR)\n')
  })

  it('a facts "folder" that is a file is exit 2', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--facts', `${EXAMPLE_FACTS}/HC-NW-001.json`, '--now', EXAMPLE_NOW])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot read the facts folder: ENOTDIR \(E_FACTS_DIR\)/)
  })

  it('--json with bad input still exits 2 and prints the problems as JSON', async () => {
    const r = await run([
      'audit',
      '-i',
      'test/fixtures/inventories/invalid-several.yaml',
      '--facts',
      EXAMPLE_FACTS,
      '--now',
      EXAMPLE_NOW,
      '--json',
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('')
    const body = JSON.parse(r.stdout)
    expect(body.error.exit).toBe(2)
    expect(body.error.problems).toHaveLength(9)
    expect(body.error.problems[0]).toEqual({
      code: 'E_SCHEMA',
      message: 'companies[1]: missing required key "side"',
      file: 'test/fixtures/inventories/invalid-several.yaml',
      line: 3,
      column: 5,
    })
  })

  it('--json with a bad --now exits 2 with JSON', async () => {
    const r = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--now', 'soon', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.problems[0].code).toBe('E_FLAG')
  })

  it('--json with an unknown flag value exits 2, not 1', async () => {
    const r = await run([...AUDIT_EXAMPLE, '--format', 'xml', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.exit).toBe(2)
  })

  it('inventory and facts problems are all reported together', async () => {
    const r = await run([
      'audit',
      '-i',
      'test/fixtures/inventories/invalid-timezone.yaml',
      '--facts',
      'no/such/facts',
      '--now',
      EXAMPLE_NOW,
    ])
    expect(r.code).toBe(2)
    expect(lines(r.stderr).sort()).toEqual([
      'no/such/facts cannot read the facts folder: ENOENT (E_FACTS_DIR)',
      'test/fixtures/inventories/invalid-timezone.yaml:5:13 policy.timezone: unknown time zone "Asia/Tokio" (E_SCHEMA)',
    ])
  })

  it('--output FILE writes the report there, nothing to stdout, and the verdict to stderr', async () => {
    const out = join(tmp.dir, 'report.json')
    const r = await run([...AUDIT_EXAMPLE, '--format', 'json', '--output', out])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('13 findings (8 critical, 4 high), 1 waived; 12 failing (--fail-on high)\n')
    const report = JSON.parse(readFileSync(out, 'utf8'))
    expect(report.kind).toBe('audit')
    expect(report.summary.failing).toBeGreaterThan(0)
  })

  it('--output into a folder that does not exist is exit 2 naming the file, not an internal error', async () => {
    const out = join(tmp.dir, 'no-such-folder', 'report.txt')
    const r = await run([...AUDIT_EXAMPLE, '--output', out])
    expect(r.stderr).not.toMatch(/internal error/)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toContain(out)
  })

  it('--json prints the AuditResult, identical to --format json', async () => {
    const [a, b] = await Promise.all([run([...AUDIT_EXAMPLE, '--json']), run([...AUDIT_EXAMPLE, '--format', 'json'])])
    expect(a.code).toBe(1)
    expect(b.code).toBe(1)
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout))
  })

  it('--fail-on none only reports (exit 0); critical still fails the example', async () => {
    const [none, critical] = await Promise.all([
      run([...AUDIT_EXAMPLE, '--fail-on', 'none', '--format', 'json']),
      run([...AUDIT_EXAMPLE, '--fail-on', 'critical', '--format', 'json']),
    ])
    expect(none.code).toBe(0)
    expect(JSON.parse(none.stdout).summary.failing).toBe(0)
    expect(critical.code).toBe(1)
  })
})

describe.concurrent('hostile values in facts', () => {
  const dir = join(tmp.dir, 'evil')
  mkdirSync(join(dir, 'facts'), {recursive: true})
  const EVIL = 'evil\u001b[2J\u001b[31mRED\u0007\u202Eexe.gnp\u009b1m'
  writeFileSync(
    join(dir, 'inventory.yaml'),
    stringify({
      companies: [{id: 'grid', name: 'Grid', side: 'nw'}],
      sites: [{id: 's1', name: 'Site', zones: [{id: 'z', name: 'Office', kind: 'office', access: ['grid']}]}],
      terminals: [{id: 'T-1', hostname: 't-1', site: 's1', zone: 'z', owner: 'grid', role: 'nw'}],
    }),
  )
  writeFileSync(
    join(dir, 'facts', 'T-1.json'),
    JSON.stringify({
      terminal: 'T-1',
      collected_at: '2026-11-26T10:00:00+09:00',
      outcome: 'ok',
      host_key: `SHA256:${'A'.repeat(43)}`,
      client: {terminal_id: 'T-1', role: 'nw', auth: 'device', serial: '', macs: [], ips: []},
      os: {hostname: EVIL, machine_id: 'm', name: 'n'},
    }),
  )
  const args = ['audit', '-i', join(dir, 'inventory.yaml'), '--facts', join(dir, 'facts'), '--now', EXAMPLE_NOW]

  it('are escaped in the table: no raw ESC, BEL, C1 or bidi override reaches the terminal', async () => {
    const r = await run(args)
    expect(r.code).toBe(1)
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
    expect(r.stdout).toContain('evil\\u001b[2J\\u001b[31mRED\\u0007\\u202eexe.gnp\\u009b1m')
  })

  it('are kept intact in JSON', async () => {
    const r = await run([...args, '--format', 'json'])
    expect(r.code).toBe(1)
    const finding = JSON.parse(r.stdout).findings.find((f: {rule: string}) => f.rule === 'reconcile/hostname-mismatch')
    expect(finding.actual).toBe(EVIL)
    expect(r.stdout).not.toContain('\u001b') // JSON escapes control characters itself
  })
})
