import {Help} from '@oclif/core'

import {reportUnknownCommand} from './not-found.js'

/** oclif's help, except that `help audti` suggests the nearest command instead of a bare "not found". */
export default class FleetAuditHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    const words = argv.filter((a) => !a.startsWith('-'))
    const id = words.join(':')
    if (words.length > 0 && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      reportUnknownCommand(words, this.config, argv)
      return
    }

    await super.showHelp(argv)
  }
}
