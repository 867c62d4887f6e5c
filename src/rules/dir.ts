import {join} from 'node:path'

import {PACKAGE_ROOT} from '../io/paths.js'

/** The rule packs shipped with fleet-audit (`rules/` at the package root). */
export const BUILTIN_RULES_DIR = join(PACKAGE_ROOT, 'rules')
