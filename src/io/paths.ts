import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The folder holding fleet-audit's package.json, whether running from `src/` (tests) or `dist/src/`. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

/** The package's own version, for reports. */
export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version

function findPackageRoot(start: string): string {
  let dir = start
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (pkg.name === 'fleet-audit') return dir
    } catch {
      // keep climbing
    }

    const parent = dirname(dir)
    if (parent === dir) throw new Error(`fleet-audit's package.json not found above ${start}`)
    dir = parent
  }
}
