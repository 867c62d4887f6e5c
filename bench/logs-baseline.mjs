// Baseline for the access-log review: the engine's bare scan of the same file, in a process of its own.
import {DuckDBInstance} from '@duckdb/node-api'

const db = await DuckDBInstance.create(':memory:', {threads: '2'})
const c = await db.connect()
const r = await c.runAndReadAll(
  `SELECT count(*) AS n FROM read_csv('${process.argv[2].replaceAll("'", "''")}', header = true)`,
)
if (!(Number(r.getRowObjects()[0].n) > 0)) process.exit(3)
c.closeSync()
db.closeSync()
