/**
 * Named lab fleets. `failureFleet` walks every collection outcome; `incidentFleet` re-enacts the four seed incidents
 * as far as collection can see them (the placement half lives in the inventory the audit tests declare).
 */
import type {Terminal} from '../../src/model/types.js'
import type {LabTerminalSpec} from './lab.js'

const HUGE_CONF = `terminal_id=HUGE\nrole=retail\nauth=idcard\nserial=S\n${'# padding padding padding padding padding padding\n'.repeat(45_000)}`

/** One terminal per outcome class, plus facts that are collected fine but disagree with the declaration. */
export function failureFleet(): LabTerminalSpec[] {
  return [
    {id: 'NW-OK', client: {role: 'nw'}, hostKey: 'hashed'},
    {id: 'RT-OK', client: {role: 'retail'}, port: 2222},
    {id: 'PINNED', hostKey: 'unknown'},
    {id: 'PIN-WRONG', hostKey: 'unknown'},
    {id: 'PIN-KH-DISAGREE', hostKey: 'changed'},
    {id: 'DOWN', mode: 'down'},
    // A name no resolver knows (.invalid is reserved, RFC 2606): its own outcome, not "refused".
    {id: 'UNRESOLVED', mode: 'down', declared: {address: 'no-such-terminal.invalid'}},
    {id: 'STOPPED'},
    {id: 'HUNG', mode: 'hung'},
    {id: 'SLAM', mode: 'slam'},
    {id: 'GARBAGE', mode: 'garbage'},
    {id: 'WRONG-KEY', clientKey: 'other'},
    {id: 'UNKNOWN', hostKey: 'unknown'},
    {id: 'CHANGED', hostKey: 'changed'},
    {id: 'REVOKED', hostKey: 'revoked'},
    {id: 'HUGE', conf: HUGE_CONF},
    {id: 'ESCAPE', conf: 'terminal_id=ESCAPE\nrole=retail\u001b[1A\u001b[2Knw\nauth=idcard\nserial=S-ESC\n'},
    {id: 'REPEATED', conf: 'terminal_id=REPEATED\nrole=retail\nauth=idcard\nserial=S-REP\nrole=nw\n'},
    {id: 'ROLE-SPACE', conf: 'terminal_id=ROLE-SPACE\nrole=NW \nauth=idcard\nserial=S-SP\n'},
    {id: 'ROLE-KIOSK', conf: 'terminal_id=ROLE-KIOSK\nrole=kiosk\nauth=idcard\nserial=S-K\n'},
    {id: 'MISSING', conf: null},
    // A client version that keeps its setting elsewhere, read by a profile declared as data.
    {
      id: 'MOVED-CONF',
      conf: null,
      eigyoFiles: {'v2.conf': 'terminal_id=MOVED-CONF\nrole=retail\nauth=idcard\nserial=S-MOVED\n'},
      declared: {ssh: {user: 'root', profile: 'eigyo-v2'}},
    },
    {id: 'STUCK', conf: {fifo: true}},
    // Collected fine; the audit must flag them.
    {id: 'ROLE-MISMATCH', client: {role: 'nw'}, declared: {role: 'retail'}},
    {id: 'AUTH-MISMATCH', client: {auth: 'device'}, declared: {auth: 'idcard'}},
    // The machine at SWAPPED's address says it is NW-OK (a swapped or re-imaged machine).
    {
      id: 'SWAPPED',
      hostname: 'nw-ok',
      client: {terminal_id: 'NW-OK', serial: 'SN-NW-OK'},
      declared: {hostname: 'swapped', serial: 'SN-SWAPPED'},
    },
  ]
}

/** The four seed incidents, as terminals whose collected setting is what happened there. */
export function incidentFleet(): LabTerminalSpec[] {
  return [
    // Hachinohe 2018: NW-set terminals at the counter shared by both companies (placement; collection confirms role nw).
    {id: 'HACHINOHE-CTR-01', client: {role: 'nw', auth: 'device'}},
    {id: 'HACHINOHE-CTR-02', client: {role: 'nw', auth: 'device'}},
    // Iwate-Sanriku and Sendai-Kita 2022: PCs for retail temp staff delivered with the NW setting.
    {id: 'IWATE-TEMP-01', client: {role: 'nw', auth: 'device'}, declared: {role: 'retail', owner: 'tohoku-epco'}},
    {id: 'SENDAI-KITA-TEMP-01', client: {role: 'nw', auth: 'device'}, declared: {role: 'retail', owner: 'tohoku-epco'}},
    // Customer center training room 2017: NW terminals in a room used by contractors of both companies.
    {id: 'CC-TRAINING-01', client: {role: 'nw', auth: 'device'}},
    // Customer center office: disaster-reception terminal in the retail office that can see NW data.
    {id: 'CC-DISASTER-01', client: {role: 'nw', auth: 'idcard'}, declared: {role: 'nw'}},
  ]
}

/**
 * A lab terminal that reports exactly what the declared terminal says (role, auth, serial, MACs, hostname), so an
 * inventory's own terminals can be simulated; `over` then changes what the machine really says.
 */
export function specFromTerminal(t: Terminal, over: Partial<LabTerminalSpec> = {}): LabTerminalSpec {
  return {
    id: t.id,
    hostname: t.hostname,
    client: {
      terminal_id: t.id,
      role: t.role,
      auth: t.auth,
      serial: t.serial ?? `SN-${t.id}`,
      ...(t.macs.length > 0 ? {macs: t.macs} : {}),
    },
    declared: {...t, ssh: {...t.ssh, user: 'root', profile: 'linux'}},
    ...over,
  }
}
