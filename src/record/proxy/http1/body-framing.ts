/**
 * Where an HTTP/1.1 message body ends (RFC 9112 §6-7), found while its bytes
 * stream through the proxy untouched: a Content-Length count, the chunked
 * coding's size lines, data, trailers and final empty line, or the end of
 * the connection. The framer only counts; it never copies or changes a byte,
 * so bodies of any size pass at the cost of a few comparisons per chunk.
 */

export class FramingError extends Error {}

const LENGTH = 0;
const UNTIL_CLOSE = 1;
// Chunked coding states.
const SIZE = 2; // hex digits of a chunk size
const EXTENSION = 3; // ";name=value" after the size, up to CR
const SIZE_BLANK = 12; // blanks between the size and ";"
const SIZE_LF = 4;
const DATA = 5;
const DATA_CR = 6;
const DATA_LF = 7;
const TRAILER_START = 8; // a trailer line, or the final empty line
const TRAILER = 9;
const TRAILER_LF = 10;
const FINAL_LF = 11;

const CR = 13;
const LF = 10;

export class BodyFramer {
  /** The whole body has been seen. */
  done = false;
  private sizeDigits = 0;

  private constructor(
    private state: number,
    /** Bytes still to come: of a Content-Length body, or of the current chunk's data. */
    private remaining: number,
  ) {}

  static length(n: number): BodyFramer {
    const f = new BodyFramer(LENGTH, n);
    f.done = n === 0;
    return f;
  }

  static chunked(): BodyFramer {
    return new BodyFramer(SIZE, 0);
  }

  /** A response body delimited by the origin closing the connection. */
  static untilClose(): BodyFramer {
    return new BodyFramer(UNTIL_CLOSE, 0);
  }

  get delimitedByClose(): boolean {
    return this.state === UNTIL_CLOSE;
  }

  /** How many of the bytes `buf[start..end)` belong to this body (all of them until it is done). Throws FramingError. */
  take(buf: Uint8Array, start: number, end: number): number {
    if (this.state === LENGTH) {
      const n = Math.min(this.remaining, end - start);
      this.remaining -= n;
      if (this.remaining === 0) this.done = true;
      return n;
    }
    if (this.state === UNTIL_CLOSE) return end - start;
    let i = start;
    while (i < end && !this.done) {
      if (this.state === DATA) {
        const n = Math.min(this.remaining, end - i);
        this.remaining -= n;
        i += n;
        if (this.remaining === 0) this.state = DATA_CR;
        continue;
      }
      const c = buf[i++]!;
      switch (this.state) {
        case SIZE: {
          const digit = hexValue(c);
          if (digit >= 0) {
            if (++this.sizeDigits > 12) throw new FramingError('chunk size too large');
            this.remaining = this.remaining * 16 + digit;
          } else if (this.sizeDigits === 0) {
            throw new FramingError('chunk size is not hexadecimal');
          } else if (c === CR) {
            this.state = SIZE_LF;
          } else if (c === 59 /* ; */) {
            this.state = EXTENSION;
          } else if (c === 32 || c === 9) {
            this.state = SIZE_BLANK;
          } else {
            throw new FramingError('chunk size is not hexadecimal');
          }
          break;
        }
        case SIZE_BLANK:
          // RFC 9112 §7.1.1: only "BWS ;" may follow the size; anything else would let two parsers disagree on the size.
          if (c === 59) this.state = EXTENSION;
          else if (c === CR) this.state = SIZE_LF;
          else if (c !== 32 && c !== 9) throw new FramingError('unexpected text after a chunk size');
          break;
        case EXTENSION:
          if (c === CR) this.state = SIZE_LF;
          else if (c === LF) throw new FramingError('bare LF in a chunk extension');
          break;
        case SIZE_LF:
          if (c !== LF) throw new FramingError('chunk size line not ended by CRLF');
          this.sizeDigits = 0;
          this.state = this.remaining === 0 ? TRAILER_START : DATA;
          break;
        case DATA_CR:
          if (c !== CR) throw new FramingError('chunk data longer than its size');
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (c !== LF) throw new FramingError('chunk data not ended by CRLF');
          this.state = SIZE;
          break;
        case TRAILER_START:
          if (c === CR) this.state = FINAL_LF;
          else if (c === LF) throw new FramingError('bare LF in the trailer section');
          else this.state = TRAILER;
          break;
        case TRAILER:
          if (c === CR) this.state = TRAILER_LF;
          else if (c === LF) throw new FramingError('bare LF in a trailer line');
          break;
        case TRAILER_LF:
          if (c !== LF) throw new FramingError('trailer line not ended by CRLF');
          this.state = TRAILER_START;
          break;
        case FINAL_LF:
          if (c !== LF) throw new FramingError('chunked body not ended by CRLF');
          this.done = true;
          break;
      }
    }
    return i - start;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
