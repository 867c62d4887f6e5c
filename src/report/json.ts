import type {Reporter} from './types.js'

/** The AuditResult itself, as `--json` prints it. */
export const json: Reporter = {
  name: 'json',
  render: (result) => `${JSON.stringify(result, null, 2)}\n`,
}
