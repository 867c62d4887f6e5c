/** Files of a lab terminal: its sshd_config, terminal.conf and keys, and the script run inside its namespaces. */
import {execFile} from 'node:child_process'
import {createHmac, randomBytes} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {promisify} from 'node:util'

import type {LabClient, LabTerminalSpec} from './lab.js'

export const run = promisify(execFile)

/** Runs an export async function over items with bounded parallelism. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(n, items.length)}, async () => {
      while (next < items.length) await fn(items[next++])
    }),
  )
}

export async function keygen(path: string, comment: string, passphrase = ''): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', path])
  return (await readFile(`${path}.pub`, 'utf8')).trim()
}

export async function fingerprint(pubPath: string): Promise<string> {
  const {stdout} = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath])
  return stdout.split(' ')[1]
}

export function defaultConf(c: LabClient): string {
  return [
    '# /etc/eigyo/terminal.conf (fleet-audit lab)',
    `terminal_id=${c.terminal_id}`,
    `role=${c.role}`,
    `auth=${c.auth}`,
    `serial=${c.serial}`,
    ...c.macs.map((m) => `mac=${m}`),
    ...c.ips.map((ip) => `ip=${ip}`),
    '',
  ].join('\n')
}

export function sshdConfig(dir: string, address: string, port: number, windows = false): string {
  // A Windows terminal finds its stand-in powershell.exe first on PATH, as System32 is on a real PC's.
  const env = windows ? `SetEnv PATH=${dir}/bin:/usr/bin:/bin\n` : ''
  return `# fleet-audit lab terminal
${env}ListenAddress ${address}:${port}
HostKey ${dir}/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile ${dir}/authorized_keys
# The lab directory lives under /tmp (world-writable), which StrictModes would refuse.
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTTY no
MaxStartups 200:30:400
MaxSessions 4
LogLevel INFO
`
}

/**
 * In the namespaces: bind the terminal's own files over the host's, set the UTS hostname, exec sshd as PID 1 of the new
 * PID namespace (so killing it tears down every session it spawned).
 */
export const NS_SCRIPT = `set -e
d="$1"
mount --bind "$d/eigyo" /etc/eigyo
mount --bind "$d/hostname" /etc/hostname
mount --bind "$d/machine-id" /etc/machine-id
mount --bind "$d/home" /root
# A Windows terminal: root's login shell is the stand-in cmd.exe or powershell.exe (see windowsShims).
if [ -f "$d/passwd" ]; then mount --bind "$d/passwd" /etc/passwd; fi
hostname "$(cat "$d/hostname")"
exec "$2" -D -e -f "$d/sshd_config"`

/** The lab known_hosts lines for one terminal, per its `hostKey` scenario (`decoy` is another host's public key). */
export function knownHostsLines(
  name: string,
  key: string,
  mode: NonNullable<LabTerminalSpec['hostKey']>,
  decoy: string,
): string[] {
  switch (mode) {
    case 'known':
      return [`${name} ${key}`]
    case 'hashed': {
      const salt = randomBytes(20)
      const h = createHmac('sha1', salt).update(name).digest()
      return [`|1|${salt.toString('base64')}|${h.toString('base64')} ${key}`]
    }
    case 'changed':
      return [`${name} ${decoy.split(' ').slice(0, 2).join(' ')}`]
    case 'revoked':
      return [`@revoked ${name} ${key}`, `${name} ${key}`]
    case 'unknown':
      return []
  }
}

/**
 * The stand-ins that make a lab terminal answer like a Windows PC behind Windows' OpenSSH server. sshd runs the
 * account's shell as `SHELL -c COMMAND`, as Windows' sshd runs `cmd.exe /c COMMAND` (or `powershell.exe -c COMMAND`
 * when PowerShell is the DefaultShell):
 *
 * - `cmd.exe` refuses a command line over 8,191 characters (cmd's own limit) and any character cmd would interpret
 *   (`^ & | < > % "`), then splits on spaces and runs the program found on PATH, as cmd does;
 * - `powershell.exe` as a shell (`-c`) refuses characters PowerShell would interpret and runs the inner command;
 *   as the probe (`-NoProfile -NonInteractive -EncodedCommand B64`, exactly), it decodes the base64 of UTF-16LE
 *   and compares it with the expected script byte for byte: anything else is refused with exit 64/65, so a change
 *   in quoting, encoding or length shows up over SSH. It then prints the recorded answer (bytes, any encoding).
 *
 * Plain POSIX sh and coreutils, so a fleet of them costs no more than the Linux probe's `cat`s.
 */
export function windowsShims(dir: string): {cmd: string; powershell: string} {
  const cmd = `#!/bin/sh
# cmd.exe stand-in (fleet-audit lab): sshd runs it as "cmd.exe -c COMMAND".
[ "$1" = -c ] || { echo "cmd.exe stand-in: expected -c COMMAND" >&2; exit 9; }
line=$2
if [ \${#line} -gt 8191 ]; then echo "The command line is too long." >&2; exit 1; fi
case $line in *'^'*|*'&'*|*'|'*|*'<'*|*'>'*|*'%'*|*'"'*) echo "cmd.exe stand-in: cmd.exe would interpret a character of: $line" >&2; exit 9;; esac
set -f
set -- $line
exec "$@"
`
  const powershell = `#!/bin/sh
# powershell.exe stand-in (fleet-audit lab).
if [ "$1" = -c ]; then
  # As the account's shell (DefaultShell = powershell.exe): PowerShell parses the line; allow only plain words.
  case $2 in *'$'*|*'\`'*|*';'*|*'('*|*')'*|*'{'*|*'}'*|*'@'*|*"'"*|*'"'*|*'|'*|*'&'*|*'<'*|*'>'*) echo "powershell.exe stand-in: PowerShell would interpret a character of: $2" >&2; exit 1;; esac
  set -f
  set -- $2
  exec "$@"
fi
if [ $# -ne 4 ] || [ "$1" != -NoProfile ] || [ "$2" != -NonInteractive ] || [ "$3" != -EncodedCommand ]; then
  echo "powershell.exe stand-in: unexpected arguments: $*" >&2; exit 64
fi
if ! printf %s "$4" | base64 -d 2>/dev/null | iconv -f UTF-16LE -t UTF-8 2>/dev/null | cmp -s - "${dir}/expected.ps1"; then
  echo "powershell.exe stand-in: -EncodedCommand is not the probe's script" >&2; exit 65
fi
exec cat "${dir}/answer.bin"
`
  return {cmd, powershell}
}
