// Rewrites schemas/handoff.schema.json from the ledger's field tables (src/model/ledger-fields.ts), through the
// derivation in src/ledger/handoff-schema.ts. Run after a build that changed a field table, then build again:
//   npm run build && node scripts/handoff-schema.mjs && npm run build
// test/unit/ledger/handoff-schema.test.ts fails while the file and the tables disagree.
import {writeFileSync} from 'node:fs'

const {handoffSchema} = await import('../dist/src/ledger/handoff-schema.js')
writeFileSync(
  new URL('../schemas/handoff.schema.json', import.meta.url),
  `${JSON.stringify(handoffSchema(), null, 2)}\n`,
)
