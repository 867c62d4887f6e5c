/** The shared reader and writer on real special files: FIFOs, sockets, devices, links (no mocks). */
import {spawnSync} from 'node:child_process'
import {lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readRegularFileSync, readTextFile} from '../../../src/io/read.js'
import {writeFileAtomic} from '../../../src/io/write.js'

const dir = mkdtempSync(join(tmpdir(), 'fa-special-'))
let server: Server
const socket = join(dir, 'sock.yaml')
const fifo = join(dir, 'fifo.yaml')

beforeAll(async () => {
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
  server = createServer()
  await new Promise<void>((resolve) => server.listen(socket, resolve))
})

afterAll(() => {
  server?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('readTextFile / readRegularFileSync refuse what is not a regular file, without blocking', () => {
  it.each([
    ['a FIFO', () => fifo, 'a FIFO'],
    ['a socket', () => socket, 'a socket'],
    ['a character device', () => '/dev/zero', 'a character device'],
    [
      'a link to a device',
      () => {
        const link = join(dir, 'zero.json')
        symlinkSync('/dev/zero', link)
        return link
      },
      'a character device',
    ],
    ['a folder', () => dir, 'a folder'],
  ])('%s', async (_, path, what) => {
    const file = path()
    expect(await readTextFile(file)).toEqual({
      ok: false,
      problem: {code: 'E_NOT_FILE', message: `not a regular file (${what})`, file},
    })
    expect(readRegularFileSync(file)).toEqual({
      ok: false,
      problem: {code: 'E_NOT_FILE', message: `not a regular file (${what})`, file},
    })
  })

  it('follows a link to a regular file', async () => {
    writeFileSync(join(dir, 'real.yaml'), 'a: 1\n')
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'link.yaml'))
    expect(await readTextFile(join(dir, 'link.yaml'))).toEqual({ok: true, text: 'a: 1\n'})
  })
})

describe('writeFileAtomic', () => {
  it('keeps the mode of the file it replaces and leaves no temporary file', async () => {
    const file = join(dir, 'report.txt')
    writeFileSync(file, 'old', {mode: 0o640})
    await writeFileAtomic(file, 'new')
    expect(readFileSync(file, 'utf8')).toBe('new')
    expect(statSync(file).mode & 0o777).toBe(0o640)
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('exclusive: refuses an existing file and writes an exact mode for a new one (a private key)', async () => {
    const key = join(dir, 'company.key')
    await writeFileAtomic(key, 'secret', {mode: 0o600, exclusive: true})
    expect(statSync(key).mode & 0o777).toBe(0o600)
    await expect(writeFileAtomic(key, 'other', {exclusive: true})).rejects.toMatchObject({
      problems: [{code: 'E_EXISTS', file: key}],
    })
    expect(readFileSync(key, 'utf8')).toBe('secret')
  })

  it('writes through a link to a regular file, keeping the link', async () => {
    writeFileSync(join(dir, 'target.json'), 'old')
    symlinkSync(join(dir, 'target.json'), join(dir, 'out.json'))
    await writeFileAtomic(join(dir, 'out.json'), 'new')
    expect(lstatSync(join(dir, 'out.json')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'target.json'), 'utf8')).toBe('new')
  })

  it('refuses a dangling link and a socket, naming the path', async () => {
    symlinkSync(join(dir, 'nowhere', 'x.json'), join(dir, 'dangling.json'))
    await expect(writeFileAtomic(join(dir, 'dangling.json'), 'x')).rejects.toMatchObject({
      problems: [{code: 'E_OUTPUT', file: join(dir, 'dangling.json')}],
    })
    await expect(writeFileAtomic(socket, 'x', {what: 'the report'})).rejects.toMatchObject({
      problems: [{message: 'cannot write the report: it is a socket'}],
    })
  })

  it('writes through /dev/null without replacing it', async () => {
    await writeFileAtomic('/dev/null', 'discarded')
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true)
  })
})
