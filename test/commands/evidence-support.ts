/**
 * The two-company start shared by the evidence tests, through the CLI on real SQLite files: retail records two
 * installs (IS-RT-103 set right, IS-RT-101 set to NW) and hands them to NW, which imports them and re-checks them
 * with its facts (IS-RT-101 is rejected).
 */
import {join} from 'node:path'

import {expect} from 'vitest'

import {EXAMPLE, EXAMPLE_FACTS, EXAMPLE_NOW, retailInstallArgs, run} from './helpers.js'

/** The example's key pairs, and their fingerprints as `ledger keygen` prints them (as a verifier would pin them). */
export const KEYS = join(EXAMPLE, 'keys')
export const RETAIL_FP = 'SHA256:SWbiOK9cZHv1x+O+etV+UpLZFDZXC3XN2rxWUtS6qJU'
export const NW_FP = 'SHA256:mLK+lPvXcqgrwnXoqayYXfSXH6+N2dotYVIsPdT/Huc'

/** Runs a command that must succeed (exit 0, or 1 for a run with findings), at the example's "now". */
export async function ok(args: string[]): Promise<void> {
  const r = await run([...args, '--now', EXAMPLE_NOW], {timeout: 60_000})
  expect(r.stderr, args.join(' ')).not.toMatch(/Error| {4}at /)
  expect([0, 1], `${args.join(' ')}\n${r.stderr}`).toContain(r.code)
}

/** Retail's two installs handed to NW and re-checked there; returns each company's database flags. */
export async function retailInstallsRecheckedByNw(
  at: (name: string) => string,
): Promise<{retail: string[]; nw: string[]}> {
  const retail = ['--db', at('retail.sqlite'), '-i', EXAMPLE]
  const install = (terminal: string, when: string) => ok(retailInstallArgs(retail, terminal, when))
  await install('IS-RT-103', '2026-11-20T10:00+09:00')
  await install('IS-RT-101', '2026-11-21T10:00+09:00')
  await ok([
    'ledger',
    'export',
    ...retail,
    '--from',
    'tohoku-epco',
    '--to',
    'tohoku-nw',
    '--key',
    join(KEYS, 'tohoku-epco.key'),
    '-o',
    at('handoff.yaml'),
  ])
  const nw = ['--db', at('nw.sqlite'), '-i', EXAMPLE]
  await ok(['ledger', 'import', at('handoff.yaml'), ...nw, '--as', 'tohoku-nw'])
  await ok(['ledger', 'recheck', ...nw, '--as', 'tohoku-nw', '--actor', 'nw-sato', '--facts', EXAMPLE_FACTS])
  return {retail, nw}
}

/** NW signs its acknowledgements of retail's list and sends them back as `acks.yaml`. */
export async function nwAcksBack(nw: string[], at: (name: string) => string): Promise<void> {
  await ok([
    ...['ledger', 'export', '--acks', ...nw, '--from', 'tohoku-nw', '--to', 'tohoku-epco'],
    ...['--key', join(KEYS, 'tohoku-nw.key'), '-o', at('acks.yaml')],
  ])
}
