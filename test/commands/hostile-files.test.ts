/**
 * Hostile files and paths, through the compiled CLI (issue 8, items 11, 12 and 16): symbolic links are followed or
 * refused, never skipped; a FIFO, device or socket where a file is expected is exit 2 naming it, never a hang; `--output`
 * writes through links, FIFOs and devices instead of renaming a file over them and leaves no temporary file behind;
 * YAML tags outside the core schema are exit 2 at their position in every YAML input.
 */
import {spawn, spawnSync} from 'node:child_process'
import {
  cpSync,
  createReadStream,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, ROOT, run, STACK_LINE, tempDir} from './helpers.js'

const tmp = tempDir('fa-hostile-')
afterAll(() => tmp.remove())
const base = ['--now', EXAMPLE_NOW]
/**
 * A hang shows up as a killed child (code null) well before vitest's own timeout (60 s); 30 s, not less, because a
 * child's start-up alone can take seconds on a loaded 2-core machine. A real child process: opening a FIFO blocks the
 * whole thread, which in-process would stall the test file instead of failing one test.
 */
const QUICK = {timeout: 30_000, child: true}

function mkfifo(path: string): string {
  const r = spawnSync('mkfifo', [path])
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`)
  return path
}

function mknod(path: string, major: number, minor: number): string {
  const r = spawnSync('mknod', [path, 'c', String(major), String(minor)])
  if (r.status !== 0) throw new Error(`mknod failed (the command tests run as root): ${r.stderr}`)
  return path
}

/** A copy of the example inventory in its own folder. */
function exampleCopy(name: string): string {
  const dir = join(tmp.dir, name)
  cpSync(join(ROOT, EXAMPLE), dir, {recursive: true})
  return dir
}

/** One exit-2 line naming the path, and nothing that looks like a crash. */
function expectRefused(r: {code: number | null; stderr: string}, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_LINE)
}

describe('symbolic links in an inventory folder are followed, never skipped (item 11)', () => {
  it('a symlinked sites/ folder gives the same findings as the real one', async () => {
    const inv = exampleCopy('linked-sites')
    renameSync(join(inv, 'sites'), join(tmp.dir, 'sites-elsewhere'))
    symlinkSync(join(tmp.dir, 'sites-elsewhere'), join(inv, 'sites'))
    const linked = await run(['audit', '-i', inv, '--facts', EXAMPLE_FACTS, '-f', 'json', ...base])
    const real = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '-f', 'json', ...base])
    expect(linked.code, linked.stderr).toBe(1)
    const key = (f: {terminal: string; rule: string}) => `${f.terminal} ${f.rule}`
    expect(JSON.parse(linked.stdout).findings.map(key)).toEqual(JSON.parse(real.stdout).findings.map(key))
    expect(JSON.parse(linked.stdout).inventory.terminals).toBe(JSON.parse(real.stdout).inventory.terminals)
  })

  it('a symlinked inventory file is read like the file it points to', async () => {
    const inv = exampleCopy('linked-file')
    renameSync(join(inv, 'waivers.yaml'), join(tmp.dir, 'waivers-elsewhere.yaml'))
    symlinkSync(join(tmp.dir, 'waivers-elsewhere.yaml'), join(inv, 'waivers.yaml'))
    const r = await run(['inventory', 'validate', '-i', inv, '-f', 'json', ...base])
    expect(r.code, r.stderr).toBe(1)
    expect(
      JSON.parse(r.stdout)
        .waivers.map((w: {id: string}) => w.id)
        .sort(),
    ).toEqual(['W-2026-003', 'W-2026-011'])
  })

  it('a link pointing nowhere is exit 2 naming it', async () => {
    const inv = exampleCopy('dangling')
    symlinkSync(join(tmp.dir, 'no-such-site.yaml'), join(inv, 'sites', 'extra.yaml'))
    expectRefused(
      await run(['inventory', 'validate', '-i', inv, ...base]),
      /sites\/extra\.yaml symbolic link to a missing file or folder \(E_SYMLINK\)/,
    )
  })

  it('a link back to an enclosing folder is exit 2 (a loop), not an endless walk', async () => {
    const inv = exampleCopy('loop')
    symlinkSync(inv, join(inv, 'sites', 'again'))
    expectRefused(await run(['inventory', 'validate', '-i', inv, ...base], QUICK), /sites\/again symbolic link loop/)
  })
})

describe('a FIFO, device or socket where a file is expected is exit 2 naming it, never a hang (item 11)', () => {
  it('a FIFO named like an inventory file', async () => {
    const inv = exampleCopy('fifo-inventory')
    mkfifo(join(inv, 'sites', 'pipe.yaml'))
    expectRefused(
      await run(['inventory', 'validate', '-i', inv, ...base], QUICK),
      /sites\/pipe\.yaml not a regular file \(a FIFO\) \(E_NOT_FILE\)/,
    )
  })

  it('a FIFO in the facts folder', async () => {
    const facts = join(tmp.dir, 'facts-fifo')
    cpSync(join(ROOT, EXAMPLE_FACTS), facts, {recursive: true})
    mkfifo(join(facts, 'HC-RT-099.json'))
    expectRefused(
      await run(['audit', '-i', EXAMPLE, '--facts', facts, ...base], QUICK),
      /facts-fifo\/HC-RT-099\.json not a regular file \(a FIFO\) \(E_NOT_FILE\)/,
    )
  })

  it('a facts file that is a symbolic link to /dev/zero', async () => {
    const facts = join(tmp.dir, 'facts-zero')
    cpSync(join(ROOT, EXAMPLE_FACTS), facts, {recursive: true})
    rmSync(join(facts, 'HC-RT-020.json'))
    symlinkSync('/dev/zero', join(facts, 'HC-RT-020.json'), 'file')
    const r = await run(['audit', '-i', EXAMPLE, '--facts', facts, ...base], QUICK)
    // Before: a finding for one terminal. A device is not a facts file at all: the folder is unusable.
    expectRefused(r, /facts-zero\/HC-RT-020\.json not a regular file \(a character device\)/)
  })

  it('a FIFO as a rule pack file', async () => {
    const rules = join(tmp.dir, 'rules-fifo')
    mkdirSync(rules)
    mkfifo(join(rules, 'local.yaml'))
    expectRefused(
      await run(['inventory', 'validate', '-i', EXAMPLE, '--rules', rules, ...base], QUICK),
      /rules-fifo\/local\.yaml not a regular file \(a FIFO\)/,
    )
  })

  it('a FIFO as the config file', async () => {
    const fifo = mkfifo(join(tmp.dir, 'config-fifo.yaml'))
    expectRefused(
      await run(['inventory', 'validate', '-i', EXAMPLE, ...base], {...QUICK, env: {FLEET_AUDIT_CONFIG: fifo}}),
      /config-fifo\.yaml not a regular file \(a FIFO\)/,
    )
  })

  it('a FIFO as a hand-off file to import', async () => {
    const fifo = mkfifo(join(tmp.dir, 'handoff-fifo.yaml'))
    const r = await run(
      ['ledger', 'import', fifo, '--as', 'tohoku-nw', '-i', EXAMPLE, '--db', join(tmp.dir, 'import.db'), ...base],
      QUICK,
    )
    expectRefused(r, /handoff-fifo\.yaml cannot read the hand-off file: not a regular file \(a FIFO\)/)
  })

  it('a FIFO as a signed hand-off or acks file read by audit --ledger', async () => {
    const fifo = mkfifo(join(tmp.dir, 'acks-fifo.yaml'))
    const r = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--ledger', fifo, ...base], QUICK)
    expectRefused(r, /acks-fifo\.yaml not a regular file \(a FIFO\) \(E_NOT_FILE\)/)
  })

  it('a FIFO as the signing key of ledger export', async () => {
    const fifo = mkfifo(join(tmp.dir, 'key-fifo.key'))
    const r = await run(
      [
        'ledger',
        'export',
        '--from',
        'tohoku-epco',
        '--to',
        'tohoku-nw',
        '--key',
        fifo,
        '-i',
        EXAMPLE,
        '--db',
        join(tmp.dir, 'export.db'),
        ...base,
      ],
      QUICK,
    )
    expectRefused(r, /key-fifo\.key cannot read the private key: not a regular file \(a FIFO\)/)
  })
})

describe('--output never replaces what it should not (item 12)', () => {
  const audit = ['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '-f', 'json', ...base]

  it('onto a symbolic link: writes the file it points to and keeps the link', async () => {
    const target = join(tmp.dir, 'report-target.json')
    const link = join(tmp.dir, 'report-link.json')
    writeFileSync(target, 'old')
    symlinkSync(target, link)
    const r = await run([...audit, '-o', link])
    expect(r.code, r.stderr).toBe(1)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(JSON.parse(readFileSync(target, 'utf8')).tool.name).toBe('fleet-audit')
  })

  it('onto a FIFO: writes through to its reader and the FIFO stays a FIFO', async () => {
    const fifo = mkfifo(join(tmp.dir, 'report-fifo'))
    const received = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = []
      createReadStream(fifo)
        .on('data', (c) => chunks.push(c as Buffer))
        .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        .on('error', reject)
    })
    const r = await run([...audit, '-o', fifo], QUICK)
    expect(r.code, r.stderr).toBe(1)
    expect(JSON.parse(await received).tool.name).toBe('fleet-audit')
    expect(lstatSync(fifo).isFIFO()).toBe(true)
  })

  it('onto a device that refuses the bytes (/dev/full): exit 2, and the device node is still a device', async () => {
    const full = mknod(join(tmp.dir, 'full'), 1, 7)
    const r = await run([...audit, '-o', full])
    expectRefused(r, /full cannot write the report: ENOSPC/)
    expect(lstatSync(full).isCharacterDevice()).toBe(true)
    expect(readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('onto /dev/null-like devices: written through, the node stays', async () => {
    const devnull = mknod(join(tmp.dir, 'null'), 1, 3)
    const r = await run([...audit, '-o', devnull])
    expect(r.code, r.stderr).toBe(1)
    expect(lstatSync(devnull).isCharacterDevice()).toBe(true)
  })

  it('a write that fails half-way (file size limit) removes its temporary file and keeps the old report', async () => {
    const dir = join(tmp.dir, 'efbig')
    mkdirSync(dir)
    const out = join(dir, 'report.json')
    writeFileSync(out, 'previous report')
    // ulimit -f 4: any file larger than 4 KiB fails with EFBIG; the JSON report is ~36 KiB.
    const child = spawn(
      'bash',
      [
        '-c',
        `ulimit -f 4; exec "${process.execPath}" "${BIN}" ${[...audit, '-o', out].map((a) => `'${a}'`).join(' ')}`,
      ],
      {
        cwd: ROOT,
        env: {...process.env, NO_COLOR: '1', LANG: 'C'},
      },
    )
    let stderr = ''
    child.stderr.on('data', (c) => (stderr += c))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expectRefused({code, stderr}, /report\.json cannot write the report: EFBIG/)
    expect(readdirSync(dir)).toEqual(['report.json'])
    expect(readFileSync(out, 'utf8')).toBe('previous report')
  })

  it('onto a folder: exit 2 and nothing left in it', async () => {
    const dir = join(tmp.dir, 'out-folder')
    mkdirSync(dir)
    writeFileSync(join(dir, 'keep'), 'x')
    expectRefused(await run([...audit, '-o', dir]), /out-folder cannot write the report: it is a folder/)
    expect(readdirSync(dir)).toEqual(['keep'])
    expect(readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })
})

describe('YAML tags outside the core schema are exit 2 at their position (item 16)', () => {
  const tagged = (name: string, text: string): string => {
    const file = join(tmp.dir, name)
    writeFileSync(file, text)
    return file
  }

  it('in an inventory file', async () => {
    const inv = exampleCopy('tag-inventory')
    const file = join(inv, 'sites', 'hachinohe.yaml')
    const text = readFileSync(file, 'utf8').replace(/^( {4}name: )(.*)$/m, '$1!!js/function $2')
    writeFileSync(file, text)
    const line = text.split('\n').findIndex((l) => l.includes('!!js/function')) + 1
    expectRefused(
      await run(['inventory', 'validate', '-i', inv, ...base]),
      new RegExp(`hachinohe\\.yaml:${line}:11 YAML tag "!!js/function" is not allowed`),
    )
  })

  it('in a waivers file', async () => {
    const inv = exampleCopy('tag-waivers')
    const file = join(inv, 'waivers.yaml')
    const text = readFileSync(file, 'utf8').replace(/reason: /, 'reason: !custom ')
    writeFileSync(file, text)
    const line = text.split('\n').findIndex((l) => l.includes('!custom')) + 1
    expectRefused(
      await run(['inventory', 'validate', '-i', inv, ...base]),
      new RegExp(`waivers\\.yaml:${line}:\\d+ YAML tag "!custom" is not allowed`),
    )
  })

  it('in a rule pack', async () => {
    const dir = join(tmp.dir, 'tag-rules')
    mkdirSync(dir)
    writeFileSync(join(dir, 'local.yaml'), 'pack: local\nrules: !!set\n  ? a\n')
    expectRefused(
      await run(['inventory', 'validate', '-i', EXAMPLE, '--rules', dir, ...base]),
      /local\.yaml:2:8 YAML tag "!!set" is not allowed/,
    )
  })

  it('in the config file', async () => {
    const config = tagged('tag-config.yaml', 'fail-on: !custom high\n')
    expectRefused(
      await run(['inventory', 'validate', '-i', EXAMPLE, ...base], {env: {FLEET_AUDIT_CONFIG: config}}),
      /tag-config\.yaml:1:10 YAML tag "!custom" is not allowed/,
    )
  })

  it('in a hand-off file', async () => {
    const handoff = tagged('tag-handoff.yaml', 'fleet_audit_handoff: !!js/regexp /x/\ntype: events\n')
    const r = await run(['audit', '-i', EXAMPLE, '--facts', EXAMPLE_FACTS, '--ledger', handoff, ...base])
    expectRefused(r, /tag-handoff\.yaml:1:22 YAML tag "!!js\/regexp" is not allowed/)
  })

  it('the core tags themselves stay allowed', async () => {
    const inv = exampleCopy('tag-core')
    const file = join(inv, 'sites', 'hachinohe.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^( {4}name: )(.*)$/m, '$1!!str $2'))
    const r = await run(['inventory', 'validate', '-i', inv, ...base])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).not.toContain('E_YAML_TAG')
  })
})
