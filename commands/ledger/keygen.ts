import {Args} from '@oclif/core'

import {writeKeyPair} from '../../src/index.js'
import {BaseCommand} from '../_lib/base.js'

export default class LedgerKeygen extends BaseCommand {
  static override summary = 'Make an Ed25519 key pair for signing hand-off lists.'
  static override description = `Writes <base>.key (the private key, mode 0600; keep it with the company that signs) and <base>.pub, and prints the
public key to put in the inventory as the company's public_key. The private key is never printed.`

  static override examples = ['<%= config.bin %> ledger keygen keys/tohoku-epco']
  static override args = {
    base: Args.string({
      required: true,
      ignoreStdin: true,
      description: 'Path without extension for <base>.key and <base>.pub.',
    }),
  }

  async run() {
    const {args} = await this.parse(LedgerKeygen)
    const {publicKeyPem, fingerprint, privateKeyFile, publicKeyFile} = await writeKeyPair(args.base)
    this.log(`wrote ${privateKeyFile} (private, keep it secret) and ${publicKeyFile}`)
    this.log(`fingerprint ${fingerprint}`)
    this.log(
      `\nadd to the company in the inventory:\n    public_key: |\n${publicKeyPem
        .trim()
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n')}`,
    )
    return {publicKeyFile, privateKeyFile, fingerprint, public_key: publicKeyPem}
  }
}
