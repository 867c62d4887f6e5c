/**
 * The PowerShell the `windows` profile runs, and the command line that carries it. Kept apart from the parser so the
 * lab's stand-in and an operator can see exactly what is sent.
 *
 * Written for Windows PowerShell 5.1 and PowerShell 7 alike: no `?.`, no ternary, no `-replace` script blocks, .NET
 * and CIM calls that exist in both. It reads, never writes. Each part is in its own try/catch and a failure is
 * reported in `errors`, so one broken part is a `probe-failed` naming the part, not silence.
 *
 * Bounds: every string is cut at 1,025 characters and every list at 65 items (one past the parser's limits, so an
 * over-long value is refused, never silently shortened). Every non-ASCII character is written as a JSON `\uXXXX`
 * escape and the bytes go straight to the standard output stream, bypassing the console's code page, so the
 * document survives an outer shell that re-encodes it (CP932, UTF-16). `mark` (U+65E5 U+672C) lets the parser
 * confirm which encoding it read when a document does carry raw non-ASCII text (e.g. output recorded by hand).
 */

/** The registry key the customer-system client keeps its setting in (under HKLM, 64-bit view). */
export const WINDOWS_CLIENT_KEY = 'SOFTWARE\\Eigyo\\Terminal'

/** First line of the document, so stray output can never be mistaken for it. */
export const WINDOWS_DOC_MARK = '#fleet-audit-windows'

/** The `probe` field of the document: which script and layout produced it. */
export const WINDOWS_PROBE_ID = 'fleet-audit-windows/1'

export const WINDOWS_SCRIPT = [
  "$ErrorActionPreference='Stop';$ProgressPreference='SilentlyContinue'",
  `$d=[ordered]@{probe='${WINDOWS_PROBE_ID}';mark=[string][char]0x65E5+[char]0x672C;errors=@()}`,
  // L outputs nothing for $null (`return $null` would emit a null that [string[]] turns into ""), else bounded text.
  'function L($s){if($null -ne $s){$s=[string]$s;if($s.Length -gt 1024){$s.Substring(0,1025)}else{$s}}}',
  "function E($w,$e){$d.errors+=@($w+': '+(L $e.Exception.Message))}",
  "try{$b=[Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine','Registry64')}catch{E 'registry' $_}",
  `try{$k=$b.OpenSubKey('${WINDOWS_CLIENT_KEY}');if($null -eq $k){$d.client=$null}else{` +
    '$d.client=@(foreach($n in @($k.GetValueNames()|Select-Object -First 65)){$t=$k.GetValueKind($n);' +
    "$v=$k.GetValue($n,$null,'DoNotExpandEnvironmentNames');" +
    "if($t -eq 'MultiString'){$v=[string[]]@($v|Select-Object -First 65|ForEach-Object{L $_})}else{$v=L $v};" +
    "[ordered]@{name=[string]$n;type=[string]$t;value=$v}})}}catch{E 'client' $_}",
  "try{$d.machine_guid=L $b.OpenSubKey('SOFTWARE\\Microsoft\\Cryptography').GetValue('MachineGuid')}catch{E 'machine_guid' $_}",
  '$d.computer_name=L $env:COMPUTERNAME',
  "try{$d.hostname=L ([Net.Dns]::GetHostName())}catch{E 'hostname' $_}",
  "try{$o=Get-CimInstance Win32_OperatingSystem;$d.os=[ordered]@{caption=L $o.Caption;version=L $o.Version;build=L $o.BuildNumber}}catch{E 'os' $_}",
  "try{$d.bios_serial=L (@(Get-CimInstance Win32_BIOS)[0].SerialNumber)}catch{E 'bios_serial' $_}",
  "try{$c=@{};Get-CimInstance Win32_NetworkAdapterConfiguration -Filter 'IPEnabled=TRUE'|ForEach-Object{$c[[string]$_.Index]=$_.IPAddress};" +
    "$d.adapters=@(Get-CimInstance Win32_NetworkAdapter -Filter 'PhysicalAdapter=TRUE'|Where-Object{$_.MACAddress}|Select-Object -First 65|" +
    "ForEach-Object{[ordered]@{mac=L $_.MACAddress;ips=[string[]]@($c[[string]$_.Index]|Select-Object -First 65|ForEach-Object{L $_})}})}catch{E 'adapters' $_}",
  // Non-ASCII as \uXXXX escapes: the document is then plain ASCII and survives any code page it passes through.
  "$j=[regex]::Replace((ConvertTo-Json -InputObject $d -Compress -Depth 6),'[^\\x00-\\x7e]',{param($m)'\\u{0:x4}' -f [int]$m.Value[0]})",
  `$y=[Text.Encoding]::UTF8.GetBytes("${WINDOWS_DOC_MARK}\`n"+$j+"\`n");$s=[Console]::OpenStandardOutput();$s.Write($y,0,$y.Length);$s.Flush()`,
].join('\n')

/** The script as PowerShell's `-EncodedCommand` wants it: base64 of its UTF-16LE bytes. */
export function encodeCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64')
}

/**
 * The command line. Only `A-Za-z0-9+/=`, spaces and dashes, so cmd.exe (Windows OpenSSH's default shell) and
 * PowerShell (when set as DefaultShell) pass it on unchanged; it must stay under cmd.exe's 8,191-character limit.
 */
export const WINDOWS_COMMAND = `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${encodeCommand(WINDOWS_SCRIPT)}`

/** cmd.exe's limit on a command line (characters), which the command must stay under. */
export const CMD_EXE_MAX = 8191
