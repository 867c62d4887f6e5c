import {formatPosition} from '../../model/errors.js'
import type {SourcePosition, Terminal} from '../../model/types.js'
import {parseAddress} from '../../io/address.js'
import type {EvaluationInput, RawFinding} from '../types.js'

const FIELDS = [
  {name: 'hostname', values: (t: Terminal) => [t.hostname.toLowerCase()]},
  {name: 'address', values: (t: Terminal) => (t.address ? [endpoint(t, t.address)] : [])},
  {name: 'serial', values: (t: Terminal) => (t.serial ? [t.serial] : [])},
  {name: 'mac', values: (t: Terminal) => t.macs},
] as const

/** `host:port` as SSH would reach it, so `10.0.0.1` and `10.0.0.1:22` are the same address. */
function endpoint(t: Terminal, address: string): string {
  const parsed = parseAddress(address)
  return `${(parsed?.host ?? address).toLowerCase()}:${parsed?.port ?? t.ssh.port ?? 22}`
}

/**
 * Two terminals that are not removed must not share a hostname, address, serial or MAC: one of the two
 * declarations is wrong, and a collected fact could be credited to the wrong asset. A removed terminal may
 * share them with its replacement.
 */
export function duplicateIdentity(input: EvaluationInput): RawFinding[] {
  const out: RawFinding[] = []
  for (const field of FIELDS) {
    const first = new Map<string, Terminal>()
    for (const t of input.inventory.terminals) {
      if (t.status === 'removed') continue
      for (const value of field.values(t)) {
        const prior = first.get(value)
        if (!prior) {
          first.set(value, t)
          continue
        }

        const where: SourcePosition = t.fieldSources[field.name === 'mac' ? 'macs' : field.name] ?? t.source
        out.push({
          terminal: t.id,
          site: t.site,
          zone: t.zone,
          location: where,
          related: [prior.fieldSources[field.name === 'mac' ? 'macs' : field.name] ?? prior.source],
          message: {
            en: `${field.name} "${value}" is also declared for terminal ${prior.id} at ${formatPosition(prior.source)}`,
            ja: `${field.name}「${value}」は端末 ${prior.id}（${formatPosition(prior.source)}）と重複しています`,
          },
          expected: `a unique ${field.name}`,
          actual: value,
        })
      }
    }
  }

  return out
}
