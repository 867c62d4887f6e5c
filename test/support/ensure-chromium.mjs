// Run by `npm test` before the suite, like ensure-sshd.mjs: the HTML report is tested in Debian's real Chromium
// (and the ledger's tamper tests use Debian's sqlite3 tool)
// (driven by playwright-core, which downloads nothing), and Japanese must render, so a CJK font is needed too.
// As root, whatever is missing is installed with apt; otherwise the run stops with a message (never a silent skip).
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const CHROMIUM = '/usr/bin/chromium'
const missing = []
if (!existsSync(CHROMIUM)) missing.push('chromium')
if (!hasCjkFont()) missing.push('fonts-noto-cjk')
// The ledger's tamper tests edit the database behind the library's back with the real sqlite3 tool.
if (!existsSync('/usr/bin/sqlite3')) missing.push('sqlite3')

if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(
      `${missing.join(' and ')} missing. The HTML report tests run Debian's Chromium with a Japanese font: apt-get install -y ${missing.join(' ')} (as root).`,
    )
    process.exit(1)
  }

  console.error(`installing ${missing.join(' ')} with apt-get`)
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
  execFileSync('apt-get', ['update', '-qq'], {stdio: 'inherit', env})
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {stdio: 'inherit', env})
}

function hasCjkFont() {
  try {
    return /CJK/i.test(execFileSync('fc-list', [':lang=ja'], {encoding: 'utf8'}))
  } catch {
    return existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')
  }
}
