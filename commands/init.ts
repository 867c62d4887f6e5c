import {Args, Flags} from '@oclif/core'

import {scaffoldInventory} from '../src/index.js'
import {BaseCommand} from './_lib/base.js'

export default class Init extends BaseCommand {
  static override summary = 'Create a starter inventory with comments (English and Japanese) that validates as written.'
  static override examples = ['<%= config.bin %> init inventory', '<%= config.bin %> inventory validate -i inventory']
  static override args = {
    dir: Args.string({description: 'Folder to create the inventory in.', default: 'inventory', ignoreStdin: true}),
  }
  static override flags = {force: Flags.boolean({summary: 'Overwrite existing files.'})}

  async run(): Promise<{files: string[]}> {
    const {args, flags} = await this.parse(Init)
    const files = await scaffoldInventory(args.dir, {force: flags.force})
    this.log(files.map((f) => `created ${f}`).join('\n'))
    this.log(`\nnext: fleet-audit inventory validate -i ${args.dir}`)
    return {files}
  }
}
