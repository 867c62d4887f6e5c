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

export function sshdConfig(dir: string, address: string, port: number): string {
  return `# fleet-audit lab terminal
ListenAddress ${address}:${port}
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
hostname "$(cat "$d/hostname")"
exec "$2" -D -e -f "$d/sshd_config"`


/** The lab known_hosts lines for one terminal, per its `hostKey` scenario (`decoy` is another host's public key). */
export function knownHostsLines(name: string, key: string, mode: NonNullable<LabTerminalSpec['hostKey']>, decoy: string): string[] {
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
