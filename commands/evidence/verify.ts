import {Args, Flags} from '@oclif/core'

import {type BundleVerification, exitCodeOf, verifyBundle, VERSION} from '../../src/index.js'
import {BaseCommand} from '../_lib/base.js'

export default class EvidenceVerify extends BaseCommand {
  static override summary =
    'Verify an evidence bundle: every hash, the signature, and that the audit reproduces from its inputs.'
  static override description = `Checks every file of the bundle against its manifest (a missing, extra or altered file is named), the
manifest's signature with a key you trust, and re-runs the audit from the bundle's own inputs and rule packs at the
bundle's "now": its findings must be the JSON report's, and every report (HTML, JSON, SARIF) rendered again from
the re-run must be the bundle's byte for byte. From a ledger database, the other company's events and
acknowledgements count only as the hand-off lists it signed (carried in the bundle) say, checked with its key as
you trust it: anything else the bundle claims is named (exit 1) and shown as not acknowledged.

Trust: a bundle carries its signer's public key in its inventory, which alone proves nothing. Anchor it with
--trust-inventory (an inventory you already hold, e.g. from the company's repository: the signer's key is taken
from it) or --trust-key (the signer's key fingerprint, received out of band; the key must be the one in the
bundle's inventory). Without either, verify refuses to run (exit 2).

EXIT CODES
  0  every file, the signature and the re-run check out
  1  something does not: each problem is named
  2  unusable input: no trust anchor, unreadable path, damaged or unsafe archive (links, paths leaving the bundle, over the size limits)`

  static override examples = [
    '<%= config.bin %> evidence verify evidence-2026-11.tar.gz --trust-key SHA256:3q2+7w…',
    '<%= config.bin %> evidence verify evidence-2026-11/ --trust-inventory ../tohoku-inventory/',
  ]

  static override args = {
    bundle: Args.string({required: true, ignoreStdin: true, description: 'The bundle: a folder or a .tar.gz archive.'}),
  }
  static override flags = {
    'trust-inventory': Flags.string({
      summary: "An inventory you already hold: the signer's public key is taken from it.",
    }),
    'trust-key': Flags.string({
      summary: "The signer's key fingerprint (SHA256:…), received out of band; repeatable.",
      multiple: true,
    }),
  }

  async run(): Promise<BundleVerification> {
    const {args, flags} = await this.parse(EvidenceVerify)
    const result = await verifyBundle(
      args.bundle,
      {inventory: flags['trust-inventory'], keys: flags['trust-key']},
      VERSION,
    )
    if (!this.jsonEnabled()) {
      const lines = result.problems.map((p) => `FAIL  ${p.message}`)
      if (result.signer)
        lines.unshift(
          `signer: ${result.signer.company} (${result.signer.key})${result.trusted_by ? `, trusted by ${result.trusted_by === 'inventory' ? '--trust-inventory' : '--trust-key'}` : ''}`,
        )
      for (const o of result.other_signed)
        lines.push(
          `ledger: ${o.lists} list(s) signed by ${o.company} checked with its trusted key; its word as of ${o.newest}`,
        )
      if (result.tool.bundle && result.tool.bundle !== result.tool.verifier)
        lines.push(`note: made by fleet-audit ${result.tool.bundle}, verified with ${result.tool.verifier}`)
      lines.push(
        result.ok
          ? `OK  ${result.files} files, signature, ${result.findings} findings and every report reproduced (now ${result.now})`
          : `NOT VERIFIED  ${result.problems.length} problem(s)`,
      )
      this.log(lines.join('\n'))
    }

    process.exitCode = exitCodeOf({kind: 'verified', ok: result.ok})
    return result
  }
}
