// Baselines for the access-log review, each in a process of its own:
//   node bench/logs-baseline.mjs FILE           the engine's bare scan of the file (`count(*)`: no field is typed)
//   node bench/logs-baseline.mjs FILE --typed   the engine's typed read of the fields the bench's mapping names (the
//                                               time by the mapping's format, the count as a number, the rest as text),
//                                               with nothing computed on them: the least any review of the file reads
import {DuckDBInstance} from '@duckdb/node-api'

const file = process.argv[2].replaceAll("'", "''")
const typed = process.argv.includes('--typed')
// The generator's header (see generateLogs) and the bench's mapping (bench/logs.mjs).
const header = [
  '日時',
  '端末ID',
  '端末設定',
  '利用者ID',
  '操作',
  '供給地点特定番号',
  '契約名義',
  '電話番号',
  '表示項目',
  '件数',
]
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
