import {Args} from '@oclif/core'

import {
  type CheckItem,
  exitCodeOf,
  parseNow,
  runCheck,
  sanitizeLine,
  type Severity,
  severityLabel,
} from '../src/index.js'
import {BaseCommand, inventoryArg, sharedFlags} from './_lib/base.js'
import {liveOptions, sshFlags} from './_lib/ssh.js'

const LABELS: Record<CheckItem['check'], {en: string; ja: string}> = {
  reachable: {en: 'reachable and verified', ja: '接続・確認'},
  'host-key': {en: 'host key', ja: 'ホスト鍵'},
  role: {en: 'role setting', ja: '役割設定'},
  auth: {en: 'authentication', ja: '認証方式'},
  identity: {
    en: 'identity (id, hostname, serial, MAC, address)',
    ja: '識別情報（ID・ホスト名・シリアル・MAC・アドレス）',
  },
  placement: {en: 'placement', ja: '設置場所'},
}

/** What a line says in the reader's language; a line that could not be answered is NOT CHECKED, never PASS. */
const VERDICTS: Record<CheckItem['status'], {en: string; ja: string}> = {
  pass: {en: 'PASS', ja: '合格'},
  fail: {en: 'FAIL', ja: '不可'},
  'not-checked': {en: 'NOT CHECKED', ja: '未確認'},
}

export default class Check extends BaseCommand {
  static override summary = 'Pre-install check of one terminal: collect it and print a pass/fail checklist.'
  static override description = `For IT staff before (and after) installing a PC: collects one terminal, planned or active, and checks that it
is reachable with the expected host key, set to its declared role and authentication, is the declared machine,
and stands where its role is allowed. A planned terminal is judged as if it were already active.

A terminal that could not be reached and verified (refused, timed out, failed authentication, unknown or changed
host key, invalid output) fails the first line, and every later line is NOT CHECKED (or FAIL where a finding
already shows a failure), never PASS.

EXIT CODES
  0  every check passed
  1  a check failed or could not be checked
  2  unusable input`

  static override examples = ['<%= config.bin %> check IS-RT-104 inventory/ --identity ~/.ssh/audit_ed25519']
  // The terminal comes first (`check IS-RT-104 inventory/`): it is what the command is about; the inventory is
  // optional, as everywhere (--inventory, FLEET_AUDIT_INVENTORY, the config file, ./inventory).
  static override args = {
    terminal: Args.string({required: true, ignoreStdin: true, description: 'Terminal id (asset tag).'}),
    inventory: inventoryArg,
  }
  static override flags = {
    inventory: sharedFlags.inventory,
    rules: sharedFlags.rules,
    'fail-on': sharedFlags['fail-on'],
    lang: sharedFlags.lang,
    now: sharedFlags.now,
    ...sshFlags,
  }

  async run() {
    const parsed = await this.parse(Check)
    const {args, flags} = parsed
    const {collect} = liveOptions(flags)
    const now = parseNow(flags.now)
    const result = await runCheck(
      {inventory: this.inventoryPath(parsed), rules: flags.rules, failOn: flags['fail-on']},
      args.terminal,
      {collect},
      {now: () => now},
    )
    if (!this.jsonEnabled()) {
      const l = flags.lang
      // The checklist's findings carry the English message (machine output); people read the chosen language.
      const message = (f: {rule: string; message: string}) =>
        result.result.findings.find((x) => x.rule === f.rule)?.message[l] ?? f.message
      const lines = [`${args.terminal}:`]
      for (const c of result.checks) {
        lines.push(`  ${VERDICTS[c.status][l]}  ${LABELS[c.check][l]}`)
        for (const f of c.findings)
          lines.push(`          ${severityLabel(f.severity as Severity, l)} ${f.rule}: ${sanitizeLine(message(f))}`)
      }

      lines.push(VERDICTS[result.verdict][l])
      this.log(lines.join('\n'))
    }

    process.exitCode = exitCodeOf({kind: 'check', pass: result.pass})
    return result
  }
}
