import {createHash, type Hash} from 'node:crypto'

/**
 * An incremental SHA-256 of a long text given in pieces: what a format-3 hand-off signs the digest of, computed as
 * its records are read or written, so the text itself (60 MB for 100,000 events) is never held. Short pieces are
 * joined first and hashed 64 K characters at a time (one `update` per record cost more than the joining).
 */
export class DigestSink {
  private readonly hash: Hash = createHash('sha256')
  private pending = ''

  write(text: string): void {
    this.pending += text
    if (this.pending.length >= 1 << 16) {
      this.hash.update(this.pending, 'utf8')
      this.pending = ''
    }
  }

  /** The hex digest of everything written; the sink is spent afterwards. */
  hex(): string {
    this.hash.update(this.pending, 'utf8')
    this.pending = ''
    return this.hash.digest('hex')
  }
}

/**
 * A growable UTF-8 byte buffer for the 60 MB texts of a large hand-off (the canonical JSON that is signed, the YAML
 * that is written). Bytes live outside the JS heap: kept as 200,000 strings and joined at the end, the same text
 * was copied by every young-generation GC on its way to the old one, which cost more than building it.
 */
export class ByteSink {
  private buffer: Buffer
  /** Where the bytes begin: room is kept before them for {@link prepend}. */
  private start: number
  private used: number
  /** Short texts are joined in JS and copied in 64 KiB pieces: one Buffer#write per record cost more than the copy. */
  private pending = ''

  /** `headroom`: bytes kept free before the first write, for a text that is only known at the end (a header). */
  constructor(initial = 1 << 20, headroom = 0) {
    this.buffer = Buffer.allocUnsafe(initial + headroom)
    this.start = this.used = headroom
  }

  write(text: string): void {
    this.pending += text
    if (this.pending.length >= 1 << 16) this.flush()
  }

  /** The bytes written so far (a view, not a copy: valid until the next write). */
  bytes(): Buffer {
    this.flush()
    return this.buffer.subarray(this.start, this.used)
  }

  /** Puts `text` before everything written so far: into the headroom, or (when it does not fit) by one copy. */
  prepend(text: string): void {
    this.flush()
    const length = Buffer.byteLength(text, 'utf8')
    if (length <= this.start) {
      this.start -= length
      this.buffer.write(text, this.start, 'utf8')
      return
    }
    const next = Buffer.allocUnsafe(length + this.buffer.length - this.start)
    next.write(text, 0, 'utf8')
    this.buffer.copy(next, length, this.start, this.used)
    this.used = length + this.used - this.start
    this.start = 0
    this.buffer = next
  }

  private flush(): void {
    const text = this.pending
    if (text.length === 0) return
    this.pending = ''
    // At most 3 bytes per UTF-16 code unit.
    if (this.used + text.length * 3 > this.buffer.length) this.grow(text.length * 3)
    this.used += this.buffer.write(text, this.used, 'utf8')
  }

  private grow(need: number): void {
    let size = this.buffer.length * 2
    while (size < this.used + need) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buffer.copy(next, this.start, this.start, this.used)
    this.buffer = next
  }
}
