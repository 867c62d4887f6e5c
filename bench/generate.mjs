// Generates a synthetic inventory of N terminals with every field filled, and matching facts.
// Sites hold up to `perSite` terminals; with `split`, each site is its own file (as a large fleet should be).
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createHash} from 'node:crypto'

const fp = (s) => 'SHA256:' + createHash('sha256').update(s).digest('base64').replace(/=+$/, '')

export function generate(dir, n, {perSite = 500, split = false} = {}) {
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(join(dir, 'inventory', 'sites'), {recursive: true})
  mkdirSync(join(dir, 'facts'), {recursive: true})
  const head = `version: 1
companies:
  - {id: nw, name: 送配電, side: nw}
  - {id: retail, name: 小売, side: retail}
  - {id: nw-contractor, name: NW委託先, side: nw}
people:
  - {id: approver, name: 承認者, company: nw}
policy: {idcard_required_from: "2030-04-01", freshness_days: 7, ack_days: 5, max_waiver_days: 90, timezone: Asia/Tokyo}
defaults: {ssh: {user: audit, port: 22, profile: linux}}
`
  const sites = Math.ceil(n / perSite)
  const chunks = []
  let t = 0
  for (let s = 0; s < sites; s++) {
    const a = Math.floor(s / 250),
      b = s % 250
    let y = `sites:
  - id: site-${s}
    name: 営業所 ${s}
    subnets: [10.${a}.${b}.0/24, 172.16.${b}.0/24, 172.17.${b}.0/24]
    zones:
      - {id: s${s}-nw, name: NW事務室, kind: office, access: [nw, nw-contractor]}
      - {id: s${s}-rt, name: 小売事務室, kind: office, access: [retail]}
terminals:
`
    for (let i = 0; i < perSite && t < n; i++, t++) {
      const nw = i % 2 === 0
      const id = `T${String(t).padStart(6, '0')}`
      const mac = `02:00:${((t >> 16) & 255).toString(16).padStart(2, '0')}:${((t >> 8) & 255).toString(16).padStart(2, '0')}:${(t & 255).toString(16).padStart(2, '0')}:01`
      const ip = `172.${16 + Math.floor(i / 250)}.${b}.${(i % 250) + 1}`
      y += `  - id: ${id}
    hostname: ${id.toLowerCase()}
    address: ${ip}
    site: site-${s}
    zone: s${s}-${nw ? 'nw' : 'rt'}
    owner: ${nw ? 'nw' : 'retail'}
    role: ${nw ? 'nw' : 'retail'}
    status: active
    auth: device
    os: Debian 12
    serial: SN${id}
    macs: ["${mac}"]
    tags: [generated, bench]
    note: 合成データ
    ssh: {user: audit, port: 22, host_key: "${fp(id)}", profile: linux}
`
      writeFileSync(
        join(dir, 'facts', `${id}.json`),
        JSON.stringify({
          terminal: id,
          collected_at: '2026-11-26T10:00:00+09:00',
          outcome: 'ok',
          host_key: fp(id),
          client: {
            terminal_id: id,
            role: nw ? 'nw' : 'retail',
            auth: 'device',
            serial: `SN${id}`,
            macs: [mac],
            ips: [ip],
          },
          os: {
            hostname: id.toLowerCase(),
            machine_id: createHash('md5').update(id).digest('hex'),
            name: 'Debian GNU/Linux 12',
          },
        }),
      )
    }
    chunks.push(y)
  }
  if (split) {
    writeFileSync(join(dir, 'inventory', 'fleet.yaml'), head)
    chunks.forEach((c, i) => writeFileSync(join(dir, 'inventory', 'sites', `site-${i}.yaml`), c))
  } else {
    // One file: merge the per-site chunks into single sites/terminals lists.
    const sitesPart = chunks.map((c) => c.split('terminals:\n')[0].replace(/^sites:\n/, '')).join('')
    const termsPart = chunks.map((c) => c.split('terminals:\n')[1]).join('')
    writeFileSync(join(dir, 'inventory', 'fleet.yaml'), `${head}sites:\n${sitesPart}terminals:\n${termsPart}`)
  }
  return {inventory: join(dir, 'inventory'), facts: join(dir, 'facts')}
}
