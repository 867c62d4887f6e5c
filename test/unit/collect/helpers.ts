import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Facts, Terminal} from '../../../src/model/types.js'
import {schemaValidator} from '../../../src/io/schema.js'

// The product's own validator (its formats are the address parser the rules use), not a second ajv set-up.
const validate = schemaValidator('facts.schema.json')

/** Schema errors of a facts document, as text; empty when it validates. */
export function factsSchemaErrors(f: Facts): string {
  // Round-trip through JSON: what is validated is what would be written.
  return validate(JSON.parse(JSON.stringify(f)))
    ? ''
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join(', ')
}

/** A declared terminal with sensible defaults. */
export function terminal(id: string, over: Partial<Terminal> = {}): Terminal {
  return {
    id,
    hostname: id.toLowerCase(),
    address: `127.0.0.1`,
    site: 's',
    zone: 'z',
    owner: 'c',
    role: 'retail',
    status: 'active',
    auth: 'idcard',
    macs: [],
    tags: [],
    ssh: {user: 'root', profile: 'linux'},
    source: {file: 'test', line: 1, column: 1},
    fieldSources: {},
    ...over,
  }
}

/** The linux profile's output for given file contents, as the remote command would print it. */
export function linuxOutput(p: {
  conf?: string | Buffer | null
  confStatus?: string
  hostname?: string
  machineId?: string | null
  os?: string | null
}): Buffer {
  const mark = (name: string): string => `\n@@fleet-audit ${name}\n`
  const parts: Array<string | Buffer> = [mark('conf')]
  const conf =
    p.conf === undefined
      ? 'terminal_id=T1\nrole=retail\nauth=idcard\nserial=S1\nmac=02:00:00:00:00:01\nip=10.0.0.1\n'
      : p.conf
  if (conf !== null) parts.push(conf)
  parts.push(mark('conf.status'), `${p.confStatus ?? (conf === null ? 'missing' : '0')}\n`)
  parts.push(mark('hostname'), `${p.hostname ?? 't1'}\n`)
  parts.push(mark('machine-id'))
  if (p.machineId !== null) parts.push(`${p.machineId ?? '0123456789abcdef0123456789abcdef'}\n`)
  parts.push(mark('machine-id.status'), `${p.machineId === null ? 'missing' : '0'}\n`)
  parts.push(mark('os'))
  if (p.os !== null) parts.push(p.os ?? 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
  parts.push(mark('os.status'), `${p.os === null ? 'missing' : '0'}\n`, mark('end'))
  return Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x)))
}

const made: string[] = []

/** A fresh temporary folder, removed by `removeTempDirs` (call it from `afterAll`). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
}
