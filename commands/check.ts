import {Args} from '@oclif/core'

import {type CheckItem, parseNow, runCheck, sanitizeLine} from '../src/index.js'
import {BaseCommand, sharedFlags} from './_lib/base.js'
import {liveOptions, sshFlags} from './_lib/ssh.js'

const LABELS: Record<CheckItem['check'], {en: string; ja: string}> = {
  reachable: {en: 'reachable and verified', ja: '接続・確認'},
  'host-key': {en: 'host key', ja: 'ホスト鍵'},
  role: {en: 'role setting', ja: '役割設定'},
  auth: {en: 'authentication', ja: '認証方式'},
  identity: {en: 'identity (id, hostname, serial, MAC, address)', ja: '識別情報（ID・ホスト名・シリアル・MAC・アドレス）'},
  placement: {en: 'placement', ja: '設置場所'},
}

/** What a line says; a line that could not be answered is NOT CHECKED (localised), never PASS. */
const VERDICTS: Record<CheckItem['status'], {en: string; ja: string}> = {
  pass: {en: 'PASS', ja: 'PASS'},
  fail: {en: 'FAIL', ja: 'FAIL'},
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

  static override examples = ['<%= config.bin %> check IS-RT-104 -i inventory/ --identity ~/.ssh/audit_ed25519']
  static override args = {terminal: Args.string({required: true, description: 'Terminal id (asset tag).'})}
  static override flags = {
    inventory: sharedFlags.inventory,
    rules: sharedFlags.rules,
    'fail-on': sharedFlags['fail-on'],
    lang: sharedFlags.lang,
    now: sharedFlags.now,
    ...sshFlags,
  }

  async run() {
    const {args, flags} = await this.parse(Check)
    const {collect} = liveOptions(flags)
    const now = parseNow(flags.now)
    const result = await runCheck({inventory: flags.inventory, rules: flags.rules, failOn: flags['fail-on']}, args.terminal, {collect}, {now: () => now})
    if (!this.jsonEnabled()) {
      const lines = [`${args.terminal}:`]
      for (const c of result.checks) {
        lines.push(`  ${VERDICTS[c.status][flags.lang]}  ${LABELS[c.check][flags.lang]}`)
        for (const f of c.findings) lines.push(`          ${f.severity} ${f.rule}: ${sanitizeLine(f.message)}`)
      }

      lines.push(VERDICTS[result.verdict][flags.lang])
      this.log(lines.join('\n'))
    }

    process.exitCode = result.pass ? 0 : 1
    return result
  }
}
