import {join} from 'node:path'

import envPaths from 'env-paths'

// Apart from store.ts so that a flag default does not load SQLite.

/**
 * The default database file: `<user data dir>/ledger.sqlite` for app `fleet-audit`, e.g.
 * `~/.local/share/fleet-audit/ledger.sqlite` on Linux (`$XDG_DATA_HOME` respected). `--db`, `FLEET_AUDIT_DB` and
 * the config file override it; that precedence is the caller's.
 */
export function defaultLedgerPath(): string {
  return join(envPaths('fleet-audit', {suffix: ''}).data, 'ledger.sqlite')
}
