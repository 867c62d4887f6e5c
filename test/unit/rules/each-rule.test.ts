/**
 * Each rule fires in a minimal scenario and stays quiet in its correct counterpart. Every case compares the whole
 * list of findings, so a rule that fires too widely fails the cases of other rules too.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {
  allOk,
  audit,
  baseInventory,
  cleanup,
  failedFacts,
  hits,
  type Json,
  KEY_A,
  KEY_B,
  okFacts,
  terminal,
} from '../scenario.js'

afterAll(cleanup)

interface Case {
  name: string
  /** Changes the base inventory; returns facts by terminal (undefined: all agree with the inventory). */
  setup: (inv: Json) => Record<string, Json | string> | void
  /** Without facts: `inventory validate` mode. */
  validate?: boolean
  now?: string
  want: string[]
}

function add(inv: Json, t: Json): Json {
  inv.terminals.push(t)
  return t
}

const T3 = {
  id: 'T-3',
  hostname: 't-3',
  address: '10.1.0.30',
  site: 's1',
  zone: 'z-nw',
  owner: 'nw',
  role: 'nw',
  serial: 'SN-3',
  macs: ['00:00:00:00:00:03'],
}

const CASES: Record<string, Case[]> = {
  baseline: [
    {name: 'the base inventory with agreeing facts raises nothing', setup: () => {}, want: []},
    {name: 'the base inventory alone raises nothing', setup: () => {}, validate: true, want: []},
  ],
  'placement/nw-terminal-in-shared-zone': [
    {
      name: 'NW terminal at a counter shared with retail',
      setup: (inv) => void (terminal(inv, 'T-NW').zone = 'z-shared'),
      want: ['T-NW placement/nw-terminal-in-shared-zone'],
    },
    {
      name: 'NW terminal in a training room with a retail contractor',
      setup: (inv) => void (terminal(inv, 'T-NW').zone = 'z-training'),
      validate: true,
      want: ['T-NW placement/nw-terminal-in-shared-zone'],
    },
    {
      name: 'planned NW terminal at the shared counter (placement is checked before install)',
      setup: (inv) => void Object.assign(terminal(inv, 'T-NW'), {zone: 'z-shared', status: 'planned'}),
      validate: true,
      want: ['T-NW placement/nw-terminal-in-shared-zone'],
    },
    {name: 'not: NW terminal in a zone of NW and an NW contractor', setup: () => {}, validate: true, want: []},
    {
      name: 'not: removed NW terminal at the shared counter',
      setup: (inv) => void Object.assign(terminal(inv, 'T-NW'), {zone: 'z-shared', status: 'removed'}),
      validate: true,
      want: [],
    },
    {
      name: 'not: retail terminal at the shared counter',
      setup: (inv) => void (terminal(inv, 'T-RT').zone = 'z-shared'),
      want: [],
    },
  ],
  'placement/retail-owner-nw-role': [
    {
      name: 'retail-owned terminal declared NW (in an NW-only zone)',
      setup: (inv) => void Object.assign(terminal(inv, 'T-NW'), {owner: 'ep'}),
      validate: true,
      want: ['T-NW placement/retail-owner-nw-role'],
    },
    {
      name: 'retail-contractor-owned NW terminal',
      setup: (inv) => void Object.assign(terminal(inv, 'T-NW'), {owner: 'rt-con'}),
      validate: true,
      want: ['T-NW placement/retail-owner-nw-role'],
    },
    {
      name: 'not: NW-contractor-owned NW terminal',
      setup: (inv) => void Object.assign(terminal(inv, 'T-NW'), {owner: 'nw-con'}),
      validate: true,
      want: [],
    },
  ],
  'placement/declared-address-outside-site': [
    {
      name: 'declared address in another network',
      setup: (inv) => void (terminal(inv, 'T-RT').address = '10.9.0.20'),
      validate: true,
      want: ['T-RT placement/declared-address-outside-site'],
    },
    {
      name: 'declared address with port in another network',
      setup: (inv) => void (terminal(inv, 'T-RT').address = '10.9.0.20:2222'),
      validate: true,
      want: ['T-RT placement/declared-address-outside-site'],
    },
    {
      name: 'declared IPv6 address outside',
      setup: (inv) => void (terminal(inv, 'T-RT').address = '[fd00:2::5]:22'),
      validate: true,
      want: ['T-RT placement/declared-address-outside-site'],
    },
    {
      name: 'not: IPv6 address inside',
      setup: (inv) => void (terminal(inv, 'T-RT').address = '[fd00:1::5]:22'),
      validate: true,
      want: [],
    },
    {
      name: 'not: a host name (cannot tell)',
      setup: (inv) => void (terminal(inv, 'T-RT').address = 't-rt.example.jp'),
      validate: true,
      want: [],
    },
    {
      name: 'not: no address (hostname used)',
      setup: (inv) => void delete terminal(inv, 'T-RT').address,
      validate: true,
      want: [],
    },
    {
      name: 'not: a site without subnets',
      setup: (inv) => void add(inv, {...T3, site: 's2', zone: 'z2', address: '192.168.0.1'}),
      validate: true,
      want: [],
    },
  ],
  'declaration/duplicate-identity': [
    {
      name: 'same hostname, other case',
      setup: (inv) => void add(inv, {...T3, hostname: 'T-NW'}),
      validate: true,
      want: ['T-3 declaration/duplicate-identity'],
    },
    {
      name: 'same serial',
      setup: (inv) => void add(inv, {...T3, serial: 'SN-NW'}),
      validate: true,
      want: ['T-3 declaration/duplicate-identity'],
    },
    {
      name: 'same MAC written differently',
      setup: (inv) => void add(inv, {...T3, macs: ['00-00-00-00-00-01']}),
      validate: true,
      want: ['T-3 declaration/duplicate-identity'],
    },
    {
      name: 'same address',
      setup: (inv) => void add(inv, {...T3, address: '10.1.0.10'}),
      validate: true,
      want: ['T-3 declaration/duplicate-identity'],
    },
    {
      name: 'hostname and serial both duplicated: two findings',
      setup: (inv) => void add(inv, {...T3, hostname: 't-nw', serial: 'SN-NW'}),
      validate: true,
      want: ['T-3 declaration/duplicate-identity', 'T-3 declaration/duplicate-identity'],
    },
    {
      name: 'not: the duplicate is removed (a replacement)',
      setup: (inv) =>
        void add(inv, {...T3, hostname: 't-nw', serial: 'SN-NW', macs: ['00:00:00:00:00:01'], status: 'removed'}),
      validate: true,
      want: [],
    },
    {name: 'not: all different', setup: (inv) => void add(inv, T3), validate: true, want: []},
  ],
  'policy/idcard-required': [
    {
      name: 'device auth on the day it becomes required',
      setup: () => {},
      validate: true,
      now: '2027-04-01',
      want: ['T-NW policy/idcard-required', 'T-RT policy/idcard-required'],
    },
    {
      name: 'device auth when it is already that day in Tokyo (UTC still the day before)',
      setup: () => {},
      validate: true,
      now: '2027-03-31T15:00:00Z',
      want: ['T-NW policy/idcard-required', 'T-RT policy/idcard-required'],
    },
    {name: 'not: the day before in Tokyo', setup: () => {}, validate: true, now: '2027-03-31T14:59:59Z', want: []},
    {
      name: 'not: idcard declared',
      setup: (inv) => void inv.terminals.forEach((t: Json) => (t.auth = 'idcard')),
      validate: true,
      now: '2027-05-01',
      want: [],
    },
    {
      name: 'not: planned terminal',
      setup: (inv) => void inv.terminals.forEach((t: Json) => (t.status = 'planned')),
      validate: true,
      now: '2027-05-01',
      want: [],
    },
    {
      name: 'not: no date in the policy',
      setup: (inv) => void delete inv.policy.idcard_required_from,
      validate: true,
      now: '2030-01-01',
      want: [],
    },
  ],
  'policy/idcard-not-enforced': [
    {
      name: 'declared idcard, client device, after the date',
      now: '2027-04-02',
      setup(inv) {
        for (const t of inv.terminals) t.auth = 'idcard'
        const c = '2027-04-01T10:00:00+09:00'
        return {
          'T-NW': okFacts(inv, 'T-NW', {collected_at: c}),
          'T-RT': okFacts(inv, 'T-RT', {collected_at: c, client: {...okFacts(inv, 'T-RT').client, auth: 'device'}}),
        }
      },
      want: ['T-RT policy/idcard-not-enforced', 'T-RT reconcile/auth-mismatch'],
    },
    {
      name: 'not: before the date (only the mismatch)',
      setup(inv) {
        terminal(inv, 'T-RT').auth = 'idcard'
        return {...allOk(inv), 'T-RT': okFacts(inv, 'T-RT', {client: {...okFacts(inv, 'T-RT').client, auth: 'device'}})}
      },
      want: ['T-RT reconcile/auth-mismatch'],
    },
  ],
  'reconcile/role-mismatch': [
    {
      name: 'NW terminal whose client is set to retail',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, role: 'retail'}}),
      }),
      want: ['T-NW reconcile/role-mismatch'],
    },
    {
      name: 'retail terminal in a retail zone whose client is NW (the temp-staff PCs)',
      setup: (inv) => ({
        ...allOk(inv),
        'T-RT': okFacts(inv, 'T-RT', {client: {...okFacts(inv, 'T-RT').client, role: 'nw'}}),
      }),
      want: ['T-RT reconcile/nw-setting-reachable-by-retail', 'T-RT reconcile/role-mismatch'],
    },
    {
      name: 'retail-declared terminal in an NW-only zone whose client is NW: mismatch, but not reachable by retail',
      setup(inv) {
        terminal(inv, 'T-RT').zone = 'z-nw'
        terminal(inv, 'T-RT').owner = 'nw'
        return {...allOk(inv), 'T-RT': okFacts(inv, 'T-RT', {client: {...okFacts(inv, 'T-RT').client, role: 'nw'}})}
      },
      want: ['T-RT reconcile/role-mismatch'],
    },
    {
      name: 'not: a removed terminal whose facts are old',
      setup: (inv) => void (terminal(inv, 'T-RT').status = 'removed'),
      want: [],
    },
  ],
  'reconcile/auth-mismatch': [
    {
      name: 'declared idcard, client device',
      setup: (inv) =>
        (terminal(inv, 'T-NW').auth = 'idcard') && {
          ...allOk(inv),
          'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, auth: 'device'}}),
        },
      want: ['T-NW reconcile/auth-mismatch'],
    },
    {
      name: 'declared device, client idcard',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, auth: 'idcard'}}),
      }),
      want: ['T-NW reconcile/auth-mismatch'],
    },
  ],
  'reconcile/host-key-unknown': [
    {
      name: 'outcome hostkey-unknown',
      setup: (inv) => ({...allOk(inv), 'T-NW': failedFacts('T-NW', 'hostkey-unknown', {host_key: KEY_B})}),
      want: ['T-NW collect/unverified', 'T-NW reconcile/host-key-unknown'],
    },
    {
      name: 'not: removed terminal with unknown key (it answered, though)',
      setup: (inv) =>
        (terminal(inv, 'T-NW').status = 'removed') && {
          'T-RT': okFacts(inv, 'T-RT'),
          'T-NW': failedFacts('T-NW', 'hostkey-unknown'),
        },
      want: ['T-NW collect/removed-still-answers'],
    },
  ],
  'reconcile/host-key-changed': [
    {
      name: 'outcome hostkey-changed',
      setup: (inv) => ({...allOk(inv), 'T-NW': failedFacts('T-NW', 'hostkey-changed', {host_key: KEY_B})}),
      want: ['T-NW collect/unverified', 'T-NW reconcile/host-key-changed'],
    },
    {
      name: 'pinned key differs from the collected one',
      setup: (inv) =>
        (terminal(inv, 'T-NW').ssh = {host_key: KEY_A}) && {
          ...allOk(inv),
          'T-NW': okFacts(inv, 'T-NW', {host_key: KEY_B}),
        },
      want: ['T-NW reconcile/host-key-changed'],
    },
    {
      name: 'not: pinned key equals the collected one',
      setup: (inv) => (terminal(inv, 'T-NW').ssh = {host_key: KEY_A}) && allOk(inv),
      want: [],
    },
    {
      name: 'not: no pinned key',
      setup: (inv) => ({...allOk(inv), 'T-NW': okFacts(inv, 'T-NW', {host_key: KEY_B})}),
      want: [],
    },
  ],
  'reconcile/terminal-id-mismatch': [
    {
      name: 'client says another terminal id',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, terminal_id: 'T-RT'}}),
      }),
      want: ['T-NW reconcile/terminal-id-mismatch'],
    },
  ],
  'reconcile/hostname-mismatch': [
    {
      name: 'another hostname',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {os: {...okFacts(inv, 'T-NW').os, hostname: 'other'}}),
      }),
      want: ['T-NW reconcile/hostname-mismatch'],
    },
    {
      name: 'a hostname that only starts like the declared one',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {os: {...okFacts(inv, 'T-NW').os, hostname: 't-nw2'}}),
      }),
      want: ['T-NW reconcile/hostname-mismatch'],
    },
    {
      name: 'not: the FQDN of the declared short name',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {os: {...okFacts(inv, 'T-NW').os, hostname: 't-nw.s1.example.jp'}}),
      }),
      want: [],
    },
    {
      name: 'not: the short name of a declared FQDN, other case',
      setup: (inv) =>
        (terminal(inv, 'T-NW').hostname = 't-nw.s1.example.jp') && {
          ...allOk(inv),
          'T-NW': okFacts(inv, 'T-NW', {os: {...okFacts(inv, 'T-NW').os, hostname: 'T-NW'}}),
        },
      want: [],
    },
  ],
  'reconcile/serial-mismatch': [
    {
      name: 'another serial',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, serial: 'SN-OTHER'}}),
      }),
      want: ['T-NW reconcile/serial-mismatch'],
    },
    {name: 'not: no declared serial', setup: (inv) => void delete terminal(inv, 'T-NW').serial, want: []},
  ],
  'reconcile/mac-mismatch': [
    {
      name: 'none of the declared MACs',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, macs: ['00:00:00:00:00:99']}}),
      }),
      want: ['T-NW reconcile/mac-mismatch'],
    },
    {
      name: 'not: an extra adapter besides the declared one',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {
          client: {...okFacts(inv, 'T-NW').client, macs: ['00:00:00:00:00:99', '00:00:00:00:00:01']},
        }),
      }),
      want: [],
    },
    {
      name: 'not: declared in upper case with dashes',
      setup: (inv) =>
        (terminal(inv, 'T-NW').macs = ['00-00-00-00-00-01'.toUpperCase()]) && {
          ...allOk(inv),
          'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, macs: ['00:00:00:00:00:01']}}),
        },
      want: [],
    },
  ],
  'reconcile/address-outside-site': [
    {
      name: 'collected address in another network',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, ips: ['10.1.0.10', '10.9.0.10']}}),
      }),
      want: ['T-NW reconcile/address-outside-site'],
    },
    {
      name: 'not: an IPv6 address inside the site',
      setup: (inv) => ({
        ...allOk(inv),
        'T-NW': okFacts(inv, 'T-NW', {client: {...okFacts(inv, 'T-NW').client, ips: ['10.1.0.10', 'fd00:1::10']}}),
      }),
      want: [],
    },
  ],
  'collect/unverified': [
    ...['refused', 'timeout', 'auth', 'probe-failed', 'output-invalid'].map((outcome) => ({
      name: `outcome ${outcome}`,
      setup: (inv: Json) => ({...allOk(inv), 'T-RT': failedFacts('T-RT', outcome)}),
      want: ['T-RT collect/unverified'],
    })),
    {name: 'no document', setup: (inv) => ({'T-NW': okFacts(inv, 'T-NW')}), want: ['T-RT collect/unverified']},
    {
      name: 'not: planned terminal without a document',
      setup: (inv) => (terminal(inv, 'T-RT').status = 'planned') && {'T-NW': okFacts(inv, 'T-NW')},
      want: [],
    },
    {
      name: 'not: removed terminal without a document',
      setup: (inv) => (terminal(inv, 'T-RT').status = 'removed') && {'T-NW': okFacts(inv, 'T-NW')},
      want: [],
    },
  ],
  'collect/removed-still-answers': [
    {
      name: 'removed terminal answers ok',
      setup: (inv) =>
        (terminal(inv, 'T-RT').status = 'removed') && {'T-NW': okFacts(inv, 'T-NW'), 'T-RT': okFacts(inv, 'T-RT')},
      want: ['T-RT collect/removed-still-answers'],
    },
    {
      name: 'removed terminal refuses authentication (it is up)',
      setup: (inv) =>
        (terminal(inv, 'T-RT').status = 'removed') && {
          'T-NW': okFacts(inv, 'T-NW'),
          'T-RT': failedFacts('T-RT', 'auth'),
        },
      want: ['T-RT collect/removed-still-answers'],
    },
    {
      name: 'not: removed terminal refuses connections',
      setup: (inv) =>
        (terminal(inv, 'T-RT').status = 'removed') && {
          'T-NW': okFacts(inv, 'T-NW'),
          'T-RT': failedFacts('T-RT', 'refused'),
        },
      want: [],
    },
    {
      name: 'not: removed terminal whose name no longer resolves',
      setup: (inv) =>
        (terminal(inv, 'T-RT').status = 'removed') && {
          'T-NW': okFacts(inv, 'T-NW'),
          'T-RT': failedFacts('T-RT', 'unresolved'),
        },
      want: [],
    },
    {
      name: 'not: removed terminal times out',
      setup: (inv) =>
        (terminal(inv, 'T-RT').status = 'removed') && {
          'T-NW': okFacts(inv, 'T-NW'),
          'T-RT': failedFacts('T-RT', 'timeout'),
        },
      want: [],
    },
    {
      name: 'not: removed terminal answered long ago',
      setup: (inv) =>
        (terminal(inv, 'T-RT').status = 'removed') && {
          'T-NW': okFacts(inv, 'T-NW'),
          'T-RT': okFacts(inv, 'T-RT', {collected_at: '2026-10-01T10:00:00+09:00'}),
        },
      want: [],
    },
  ],
}

describe.each(Object.entries(CASES))('%s', (_, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (__, c) => {
    const inv = baseInventory()
    const facts = c.setup(inv) ?? undefined
    const result = await audit(inv, {
      facts: c.validate ? undefined : ((facts as Record<string, Json>) ?? allOk(inv)),
      now: c.now,
    })
    expect(hits(result)).toEqual(c.want)
    expect(result.kind).toBe(c.validate ? 'validate' : 'audit')
  })
})

describe('finding details', () => {
  it('a placement finding says who can reach the zone and where the terminal is declared', async () => {
    const inv = baseInventory()
    terminal(inv, 'T-NW').zone = 'z-shared'
    const result = await audit(inv)
    expect(result.findings).toHaveLength(1)
    const f = result.findings[0]
    expect(f).toMatchObject({
      rule: 'placement/nw-terminal-in-shared-zone',
      severity: 'critical',
      terminal: 'T-NW',
      site: 's1',
      zone: 'z-shared',
      expected: 'a zone reachable by NW-side companies only',
      actual: 'ep',
      message: {en: 'NW-role terminal in Counter (counter), reachable by ep'},
    })
    expect(f.location.file).toMatch(/inventory\.yaml$/)
    expect(f.waiver).toBeUndefined()
  })

  it('a duplicate names both declarations', async () => {
    const inv = baseInventory()
    add(inv, {...T3, serial: 'SN-NW'})
    const result = await audit(inv)
    const f = result.findings[0]
    expect(f.message.en).toMatch(/^serial "SN-NW" is also declared for terminal T-NW at .*inventory\.yaml:\d+:\d+$/)
    expect(f.related).toHaveLength(1)
    expect(f.related![0].line).toBeLessThan(f.location.line)
  })
})

describe('a condition that yields no boolean at run time', () => {
  it('raises "rule could not be evaluated" instead of passing', async () => {
    const {evaluateRules} = await import('../../../src/rules/evaluate.js')
    const {loadInventory} = await import('../../../src/inventory/load.js')
    const {writeScenario} = await import('../scenario.js')
    const {inventory} = await writeScenario(baseInventory())
    const inv = await loadInventory(inventory)
    const rule = {
      id: 'mine/dyn',
      pack: 'mine',
      severity: 'high' as const,
      needs: 'inventory' as const,
      barrier: false,
      title: {en: 't', ja: 't'},
      rationale: {en: 'r', ja: 'r'},
      remediation: {en: 'x', ja: 'x'},
      message: {en: 'm', ja: 'm'},
      source: {file: 'f', line: 1, column: 1},
      compiled: {when: () => 'yes'},
    }
    const findings = evaluateRules(
      {inventory: inv, now: new Date('2026-11-27T12:00:00Z'), today: '2026-11-27', rules: [rule]},
      'inventory',
    )
    expect(findings.length).toBe(inv.terminals.length)
    expect(findings[0].message.en).toBe('rule could not be evaluated: the condition gave string, not a bool')
  })
})
