// Loaded with `node --import`: on exit, writes the process's peak RSS (kB) for the benchmark runner.
import {appendFileSync} from 'node:fs'

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`)
})
