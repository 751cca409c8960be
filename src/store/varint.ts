/**
 * Zigzag LEB128 integer columns. Times, counts and indexes in a chunk are
 * small deltas; one byte each is typical, and decoding a Buffer by hand is
 * several times faster than decoding the same numbers as msgpack items.
 */

export class VarintWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned integer up to 2^53. */
  uint(value: number): void {
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** Signed integer (zigzag), |value| < 2^52. */
  int(value: number): void {
    this.uint(value < 0 ? -value * 2 - 1 : value * 2);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class VarintReader {
  pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  /**
   * One byte is the common case (refs, counts, small deltas) and stays small enough to be
   * inlined into every decoder; longer varints go out of line (uintLong).
   */
  uint(): number {
    const b = this.buf[this.pos++]!;
    return b < 0x80 ? b : this.uintLong(b);
  }

  /** The rest of a varint whose first byte was `first` (>= 0x80). */
  private uintLong(first: number): number {
    const buf = this.buf;
    let value = first & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (this.pos >= buf.length) throw new RangeError('varint column ends early');
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  /**
   * Zigzag: even z is z / 2, odd z is -(z + 1) / 2. Small z (nearly all: deltas, entry
   * gaps) with 32-bit operations; large ones (a chunk's first time, ~1.7e12) out of line, so
   * the optimized code of the small path never meets a number outside int32 (it deoptimized
   * on the first time of each chunk, and on the -0 of `-(z & 1)`: "lost precision or NaN").
   */
  int(): number {
    const z = this.uint();
    // `0 - bit`, not `-bit`: -0 is no int32, and the optimized code deoptimized on it.
    return z <= 0x3fffffff ? (z >>> 1) ^ (0 - (z & 1)) : zigzagLarge(z);
  }

  /** A signed integer of any size (zigzag) by the general path: a value known to be large. */
  intAnySize(): number {
    return zigzagLarge(this.uint());
  }
}

/** No `%`: on a number V8 cannot prove small it is a call to fmod. */
function zigzagLarge(z: number): number {
  const half = Math.floor(z / 2);
  return z === half * 2 ? half : -half - 1;
}
