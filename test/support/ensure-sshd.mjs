// Run by `npm test` before the suite: the SSH tests need a real OpenSSH sshd. As root, a missing sshd is installed
// from Debian's packages; otherwise the run stops here with a message saying what to do (never a silent skip).
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const SSHD = '/usr/sbin/sshd'
if (!existsSync(SSHD)) {
  if (process.getuid?.() !== 0) {
    console.error(
      `${SSHD} not found. The SSH tests start real sshd processes: install openssh-server (apt-get install -y openssh-server) and run the tests as root.`,
    )
    process.exit(1)
  }

  console.error(`${SSHD} not found: installing openssh-server with apt-get`)
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
  execFileSync('apt-get', ['update', '-qq'], {stdio: 'inherit', env})
  execFileSync('apt-get', ['install', '-y', '-qq', 'openssh-server'], {stdio: 'inherit', env})
}

if (process.getuid?.() !== 0) {
  console.error('The SSH tests need root (private mount namespaces per simulated terminal): run npm test as root.')
  process.exit(1)
}
