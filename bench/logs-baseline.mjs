// Baselines for the access-log review, each in a process of its own:
//   node bench/logs-baseline.mjs FILE           the engine's bare scan of the file (`count(*)`: no field is typed)
//   node bench/logs-baseline.mjs FILE --typed   the engine's typed read of the fields the bench's mapping names (the
//                                               time by the mapping's format, the count as a number, the rest as text),
//                                               with nothing computed on them: the least any review of the file reads
import {closeSync, openSync, readSync} from 'node:fs'

import {DuckDBInstance} from '@duckdb/node-api'

const path = process.argv[2]
const file = path.replaceAll("'", "''")
const typed = process.argv.includes('--typed')
// The file's own header (the generator's, see generateLogs); the bench's mapping names all but two of its columns.
const head = Buffer.alloc(64 * 1024)
const fd = openSync(path, 'r')
const header = head
  .subarray(0, readSync(fd, head, 0, head.length, 0))
  .toString('utf8')
  .split(/\r?\n/)[0]
  .replace(/^\uFEFF/, '')
  .split(',')
closeSync(fd)
const mapped = header.filter((h) => h !== '契約名義' && h !== '電話番号')
const type = (h) => (h === '日時' ? 'TIMESTAMP' : h === '件数' ? 'BIGINT' : 'VARCHAR')
const sql = typed
  ? `SELECT count(*) AS n, ${mapped.map((h) => `count("${h}")`).join(', ')} FROM read_csv('${file}', header = true,
       columns = {${header.map((h) => `'${h}': '${type(h)}'`).join(', ')}}, auto_detect = false,
       timestampformat = '%Y/%m/%d %H:%M:%S')`
  : `SELECT count(*) AS n FROM read_csv('${file}', header = true)`

const db = await DuckDBInstance.create(':memory:', {threads: '2'})
const c = await db.connect()
const r = await c.runAndReadAll(sql)
if (!(Number(r.getRowObjects()[0].n) > 0)) process.exit(3)
c.closeSync()
db.closeSync()
