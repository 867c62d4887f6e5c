/**
 * The in-process runner (test/support/cli.ts) against the real thing: the same commands as child processes
 * `bin/run.js` give the same exit code, standard output and standard error — so a command test run in-process fails
 * when the CLI breaks, and the real entry point stays covered. And a run leaves this process as it found it.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {runChild, runInProcess} from '../support/cli.js'
import {EXAMPLE, EXAMPLE_NOW, ROOT, tempDir, AUDIT_EXAMPLE} from './helpers.js'

const tmp = tempDir('fa-in-process-')
afterAll(() => tmp.remove())

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', LANG: 'C', ...extra}
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k]
  return out
}

/** Exit code, stdout and stderr of both runners, with the version line (node version) as it is. */
async function both(args: string[], extra: Record<string, string> = {}, cwd = ROOT) {
  const [inProcess, child] = [
    await runInProcess(args, {cwd, env: env(extra)}),
    await runChild(args, {cwd, env: env(extra), timeout: 60_000}),
  ]
  const view = (r: {code: number | null; stdout: string; stderr: string}) => ({
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
  })
  return {inProcess: view(inProcess), child: view(child)}
}

describe('in-process and child-process runs print the same', () => {
  const cases: [string, string[], number][] = [
    ['help', ['--help'], 0],
    ['the version', ['--version'], 0],
    ['an audit with findings, as JSON', [...AUDIT_EXAMPLE, '--format', 'json'], 1],
    ['an audit as a table', [...AUDIT_EXAMPLE], 1],
    [
      'an invalid inventory',
      ['inventory', 'validate', '-i', 'test/fixtures/inventories/invalid-several.yaml', '--now', EXAMPLE_NOW],
      2,
    ],
    ['an unknown command (the command_not_found hook)', ['audti', '-i', 'x'], 2],
    ["an unknown flag (oclif's parser error through the command's catch)", ['audit', '--zzzz'], 2],
    ['a bad flag value under --json', ['audit', '--now', 'not-a-date', '--json'], 2],
  ]

  for (const [name, args, code] of cases) {
    it(name, async () => {
      const {inProcess, child} = await both(args)
      expect(child.code, child.stderr).toBe(code)
      expect(inProcess).toEqual(child)
    })
  }

  it('the config file of the working folder, and the environment, of each run', async () => {
    const dir = join(tmp.dir, 'config')
    mkdirSync(dir)
    writeFileSync(join(dir, 'fleet-audit.yaml'), `inventory: ${join(ROOT, EXAMPLE)}\nfail-on: none\n`)
    const args = ['inventory', 'validate', '--now', EXAMPLE_NOW, '--format', 'json']
    const {inProcess, child} = await both(args, {}, dir)
    expect(child.code).toBe(0)
    expect(inProcess).toEqual(child)
    const ja = await both(['inventory', 'validate', '-i', 'test/fixtures/inventories/invalid-enum.yaml'], {
      LANG: 'ja_JP.UTF-8',
    })
    expect(ja.child.stderr).toMatch(/ — /)
    expect(ja.inProcess).toEqual(ja.child)
  })
})

describe('a run leaves this process as it found it', () => {
  it('environment, working folder, argv, exit code and standard streams are restored; the config file is read per run', async () => {
    const before = {
      env: {...process.env},
      cwd: process.cwd(),
      argv: [...process.argv],
      exitCode: process.exitCode,
      write: process.stdout.write,
      console,
    }
    const dir = join(tmp.dir, 'restore')
    mkdirSync(dir)
    writeFileSync(join(dir, 'fleet-audit.yaml'), 'fail-on: none\n')
    const args = ['inventory', 'validate', '-i', join(ROOT, EXAMPLE), '--now', EXAMPLE_NOW]
    // fail-on: none from this folder's config file: exit 0; then from the repository root (no config file): exit 1.
    expect((await runInProcess(args, {cwd: dir, env: env({ONLY_IN_THE_RUN: '1'})})).code).toBe(0)
    expect((await runInProcess(args, {cwd: ROOT, env: env()})).code).toBe(1)
    expect({...process.env}).toEqual(before.env)
    expect(process.env.ONLY_IN_THE_RUN).toBeUndefined()
    expect(process.cwd()).toBe(before.cwd)
    expect(process.argv).toEqual(before.argv)
    expect(process.exitCode).toBe(before.exitCode)
    expect(process.stdout.write).toBe(before.write)
    expect(console).toBe(before.console)
  })
})
