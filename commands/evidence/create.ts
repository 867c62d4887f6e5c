import {Flags} from '@oclif/core'

import {createBundle, type CreateBundleResult, parseNow} from '../../src/index.js'
import {BaseCommand, sharedFlags} from '../_lib/base.js'

export default class EvidenceCreate extends BaseCommand {
  static override summary =
    'Write the signed evidence bundle of one run: reports, inputs, rule packs, ledger heads and a signed manifest.'
  static override description = `Copies the run's inputs (inventory files with their waivers, facts, the rule packs in use, hand-off files or a
snapshot of the ledger database's events with the other company's signed hand-off lists it imported and the
chain heads, hashes of log files) into a bundle, runs the audit
from those copies, writes the reports (HTML, JSON, SARIF) and a manifest of every file's SHA-256, and signs the
manifest with a company's Ed25519 key (from \`ledger keygen\`). The signer is the company of the inventory whose
public_key matches the key. A folder, or one archive when --output ends in .tar.gz or .tgz.

EXIT CODES
  0  the bundle was written (its findings are in its reports)
  2  unusable input: inventory, rules, facts, ledger (or a ledger that does not verify), key not of any company,
     output already exists`

  static override examples = [
    '<%= config.bin %> evidence create -i inventory/ --facts facts/ --db ledger.db --key keys/tohoku-nw.key -o evidence-2026-11.tar.gz',
  ]

  static override flags = {
    inventory: sharedFlags.inventory,
    rules: sharedFlags.rules,
    'fail-on': sharedFlags['fail-on'],
    lang: sharedFlags.lang,
    now: sharedFlags.now,
    facts: Flags.string({
      summary: 'Folder of recorded facts (without it, the bundle records a validation).',
      env: 'FLEET_AUDIT_FACTS',
    }),
    db: Flags.string({summary: 'Ledger database, opened read-only: its events and chain heads go into the bundle.'}),
    ledger: Flags.string({
      summary: 'Signed hand-off files instead of a database; repeatable.',
      multiple: true,
      exclusive: ['db'],
    }),
    log: Flags.string({
      summary: 'A log file whose SHA-256 (never its content) is recorded; repeatable.',
      multiple: true,
    }),
    key: Flags.string({
      summary: "The signing company's Ed25519 private key (PEM, from `ledger keygen`).",
      required: true,
    }),
    output: Flags.string({
      char: 'o',
      summary: 'Bundle to write: a new folder, or an archive ending in .tar.gz / .tgz.',
      required: true,
    }),
  }

  async run(): Promise<Omit<CreateBundleResult, 'result'>> {
    const {flags} = await this.parse(EvidenceCreate)
    const {result, ...written} = await createBundle(
      {
        inventory: flags.inventory,
        facts: flags.facts,
        rules: flags.rules,
        db: flags.db,
        handoffs: flags.ledger,
        logs: flags.log,
        failOn: flags['fail-on'],
        lang: flags.lang,
        keyFile: flags.key,
        output: flags.output,
      },
      parseNow(flags.now),
    )
    this.log(
      `${written.output}: ${written.files} files and their manifest, signed by ${written.signer.company} (${written.signer.key}); ${result.summary.total} findings, ${result.summary.failing} failing`,
    )
    // What the database says that no list the other company signed backs: the bundle shows it as not so.
    for (const note of written.ledger_notes)
      this.logToStderr(`not backed by a signed list, so the bundle does not show it: ${note}`)
    return written
  }
}
