/**
 * A growable UTF-8 byte buffer for the 60 MB texts of a large hand-off (the canonical JSON that is signed, the YAML
 * that is written). Bytes live outside the JS heap: kept as 200,000 strings and joined at the end, the same text
 * was copied by every young-generation GC on its way to the old one, which cost more than building it.
 */
export class ByteSink {
  private buffer: Buffer
  private used = 0
  /** Short texts are joined in JS and copied in 64 KiB pieces: one Buffer#write per record cost more than the copy. */
  private pending = ''

  constructor(initial = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initial)
  }

  write(text: string): void {
    this.pending += text
    if (this.pending.length >= 1 << 16) this.flush()
  }

  /** The bytes written so far (a view, not a copy: valid until the next write). */
  bytes(): Buffer {
    this.flush()
    return this.buffer.subarray(0, this.used)
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
    this.buffer.copy(next, 0, 0, this.used)
    this.buffer = next
  }
}
