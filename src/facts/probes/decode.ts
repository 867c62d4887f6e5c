/**
 * Decoding what Windows really prints. Windows PowerShell 5.1 writes a redirected stdout in the console's OEM code
 * page (CP932 on Japanese Windows) unless told otherwise, may write UTF-16 with a BOM, and PowerShell 7 writes UTF-8
 * (with or without a BOM). Every decoder here is strict: a byte that does not belong to the encoding is never
 * replaced, so invalid output cannot pass as clean text.
 */

/** An encoding a document may arrive in. */
export type WireEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'cp932'

/** One way to read the bytes: the encoding and the text, BOM removed. */
export interface Decoded {
  encoding: WireEncoding
  text: string
}

/** The decoder's label for each encoding. WHATWG "shift_jis" is Windows-31J (CP932), NEC and IBM extensions included. */
const LABELS: Record<WireEncoding, string> = {
  'utf-8': 'utf-8',
  'utf-8-bom': 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  cp932: 'shift_jis',
}

/**
 * Strict decoders, made on first use: every command that checks an inventory loads the probe registry, and building
 * the Shift_JIS decoder loads ICU's converter (up to tens of ms), which only a Windows collection needs.
 */
const decoders = new Map<WireEncoding, TextDecoder>()

function decoder(encoding: WireEncoding): TextDecoder {
  let d = decoders.get(encoding)
  if (!d) {
    d = new TextDecoder(LABELS[encoding], {fatal: true, ignoreBOM: true})
    decoders.set(encoding, d)
  }

  return d
}

function tryDecode(encoding: WireEncoding, bytes: Uint8Array): Decoded | undefined {
  try {
    return {encoding, text: decoder(encoding).decode(bytes)}
  } catch {
    return undefined
  }
}

/**
 * The readings of `buf` worth trying, most likely first. A BOM decides alone. Without one, UTF-16LE is recognised by
 * the NUL high bytes of its first ASCII characters; otherwise UTF-8 is tried before CP932 (ASCII-only output reads
 * the same in both). The caller confirms the choice with a known non-ASCII mark inside the document, so a CP932
 * text that happens to be valid UTF-8 is not taken for UTF-8.
 */
export function decodeCandidates(buf: Buffer): Decoded[] {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return listOf(tryDecode('utf-8-bom', buf.subarray(3)))
  if (buf[0] === 0xff && buf[1] === 0xfe) return listOf(tryDecode('utf-16le', buf.subarray(2)))
  if (buf[0] === 0xfe && buf[1] === 0xff) return listOf(tryDecode('utf-16be', buf.subarray(2)))
  if (buf.length >= 4 && buf.length % 2 === 0 && buf[0] !== 0 && buf[1] === 0 && buf[2] !== 0 && buf[3] === 0)
    return listOf(tryDecode('utf-16le', buf))
  return [tryDecode('utf-8', buf), tryDecode('cp932', buf)].filter((d): d is Decoded => d !== undefined)
}

function listOf(d: Decoded | undefined): Decoded[] {
  return d ? [d] : []
}

/** Best-effort text of a diagnostic stream (stderr) for a reason: UTF-8, else CP932, else undefined (escape the bytes). */
export function decodeDiagnostic(buf: Buffer): string | undefined {
  const d = decodeCandidates(buf)[0]
  return d?.text
}
