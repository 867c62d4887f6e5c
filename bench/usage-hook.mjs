// Loaded with `node --import`: on exit, writes the process's peak RSS (kB) and CPU time (user + system, µs, all threads).
import {appendFileSync} from 'node:fs'

process.on('exit', () => {
  const u = process.resourceUsage()
  if (process.env.BENCH_USAGE_FILE)
    appendFileSync(process.env.BENCH_USAGE_FILE, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}\n`)
})
