// Unit tests for the recording proxy's two pure HTTP/1.x parsing modules: message heads
// (start line and header fields, RFC 9112 §2-5) and body framing (Content-Length, chunked
// coding, close-delimited, RFC 9112 §6-7). No sockets: text and byte buffers only.
import { describe, expect, it } from 'vitest';
import { BodyFramer, FramingError } from '../../src/record/proxy/http1/body-framing.js';
import { HEAD_END, HeadError, MAX_HEAD_BYTES, fieldFacts, isChunkedLast, parseRequestHead, parseResponseHead } from '../../src/record/proxy/http1/heads.js';

/** The HeadError `fn` throws (fails the test when it throws nothing or something else). */
function headError(fn: () => unknown): HeadError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HeadError);
    return err as HeadError;
  }
  throw new Error('expected a HeadError, nothing was thrown');
}

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('head constants', () => {
  it('HEAD_END is CRLFCRLF and MAX_HEAD_BYTES is 64 KiB', () => {
    expect([...HEAD_END]).toEqual([13, 10, 13, 10]);
    expect(MAX_HEAD_BYTES).toBe(65536);
  });
});

describe('parseRequestHead', () => {
  it('gives method, target, version and the fields in sent case and order, values trimmed of SP/HTAB only', () => {
    // Built from bytes, as the proxy does: 0xE9 and 0xA0 (NBSP) are latin1 obs-text, not blanks.
    const wire = Buffer.concat([
      bytes('GET /a/b?c=1&d=%20 HTTP/1.1\r\nHost: example.com\r\nX-Custom: \t spaced  inner\tvalue \t\r\nhost: second\r\nX-Latin: caf'),
      Buffer.from([0xe9, 0xa0, 0x78, 0xa0]),
      bytes('\r\nX-Empty:\r\nX-Blank:  \t \r\nx-lower:v'),
    ]);
    const head = parseRequestHead(wire.toString('latin1'));
    expect(head.method).toBe('GET');
    expect(head.target).toBe('/a/b?c=1&d=%20');
    expect(head.version).toBe('HTTP/1.1');
    expect(head.raw).toEqual([
      'Host', 'example.com',
      'X-Custom', 'spaced  inner\tvalue',
      'host', 'second',
      'X-Latin', 'caf\xe9\xa0x\xa0',
      'X-Empty', '',
      'X-Blank', '',
      'x-lower', 'v',
    ]);
  });

  it('a value starting with NBSP keeps it (only SP and HTAB are trimmed)', () => {
    expect(parseRequestHead('GET / HTTP/1.1\r\nX: \xa0v').raw).toEqual(['X', '\xa0v']);
  });

  it('accepts HTTP/1.0, a request with no fields, other methods and target forms', () => {
    expect(parseRequestHead('GET / HTTP/1.0')).toEqual({ method: 'GET', target: '/', version: 'HTTP/1.0', raw: [] });
    expect(parseRequestHead('OPTIONS * HTTP/1.1\r\nHost: h')).toMatchObject({ method: 'OPTIONS', target: '*' });
    expect(parseRequestHead('PROPFIND http://h/x HTTP/1.1')).toMatchObject({ method: 'PROPFIND', target: 'http://h/x' });
    // obs-text in the target is visible, not a control character
    expect(parseRequestHead('GET /caf\xe9 HTTP/1.1').target).toBe('/caf\xe9');
  });

  it('answers 505 to another HTTP version', () => {
    expect(headError(() => parseRequestHead('GET / HTTP/2.0\r\nHost: h')).status).toBe(505);
    expect(headError(() => parseRequestHead('GET / HTTP/0.9')).status).toBe(505);
  });

  it.each([
    ['garbage', 'hello'],
    ['empty', ''],
    ['no version', 'GET /'],
    ['blank after the version', 'GET / HTTP/1.1 '],
    ['lower-case protocol name', 'GET / http/1.1'],
    ['not a version', 'GET / HTTP/1.1x'],
    ['leading blank', ' GET / HTTP/1.1'],
    ['bad method token', 'G(T / HTTP/1.1'],
    ['method with a latin1 letter', 'G\xc9T / HTTP/1.1'],
    ['target with a space', 'GET /a b HTTP/1.1'],
    ['two spaces before the target', 'GET  / HTTP/1.1'],
    ['target with a control character', 'GET /a\x01b HTTP/1.1'],
    ['target with DEL', 'GET /a\x7f HTTP/1.1'],
    ['target with a tab', 'GET /a\tb HTTP/1.1'],
  ])('answers 400 to a bad request line: %s', (_, text) => {
    expect(headError(() => parseRequestHead(`${text}\r\nHost: h`)).status).toBe(400);
  });

  it.each([
    ['header without a colon', 'Host example.com'],
    ['space before the colon', 'Host : example.com'],
    ['tab before the colon', 'Host\t: example.com'],
    ['empty name', ': value'],
    ['name with a non-token character', 'X(y): 1'],
    ['obsolete line folding with SP', 'X-A: 1\r\n continued'],
    ['obsolete line folding with HTAB', 'X-A: 1\r\n\tcontinued'],
    ['folded line that holds a colon', 'X-A: 1\r\n X-B: 2'],
    ['control character in a value', 'X-A: a\x01b'],
    ['bare LF in a value', 'X-A: a\nb'],
    ['bare LF at the end of a value', 'X-A: a\n'],
    ['bare LF before the name', 'X-A: 1\nX-B: 2'],
    ['bare CR in a value', 'X-A: a\rb'],
    ['NUL in a value', 'X-A: a\x00'],
    ['DEL in a value', 'X-A: \x7f'],
  ])('answers 400 to a bad header line: %s', (_, fields) => {
    expect(headError(() => parseRequestHead(`GET / HTTP/1.1\r\nHost: h\r\n${fields}`)).status).toBe(400);
  });
});

describe('parseResponseHead', () => {
  it('gives version, status, reason and the fields', () => {
    const head = parseResponseHead('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length:  5 \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2');
    expect(head).toEqual({
      version: 'HTTP/1.1',
      status: 200,
      reason: 'OK',
      raw: ['Content-Type', 'text/plain', 'content-length', '5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'],
    });
  });

  it('keeps a reason phrase with spaces, and HTTP/1.0', () => {
    expect(parseResponseHead('HTTP/1.0 404 Not Found At All')).toEqual({ version: 'HTTP/1.0', status: 404, reason: 'Not Found At All', raw: [] });
  });

  it('accepts an empty reason with or without the space before it', () => {
    expect(parseResponseHead('HTTP/1.1 204 ')).toMatchObject({ status: 204, reason: '' });
    expect(parseResponseHead('HTTP/1.1 204\r\nX: y')).toEqual({ version: 'HTTP/1.1', status: 204, reason: '', raw: ['X', 'y'] });
  });

  it.each([
    ['two-digit status', 'HTTP/1.1 20 OK'],
    ['four-digit status', 'HTTP/1.1 2000 OK'],
    ['status not digits', 'HTTP/1.1 abc OK'],
    ['two spaces before the status', 'HTTP/1.1  200 OK'],
    ['no status', 'HTTP/1.1'],
    ['not HTTP', 'ICY 200 OK'],
    ['HTTP/2.0', 'HTTP/2.0 200 OK'],
    ['lower-case protocol name', 'http/1.1 200 OK'],
    ['empty', ''],
  ])('rejects a bad status line: %s', (_, text) => {
    headError(() => parseResponseHead(text));
  });

  it('checks the fields as strictly as a request head', () => {
    expect(headError(() => parseResponseHead('HTTP/1.1 200 OK\r\nBad Header')).status).toBe(400);
    expect(headError(() => parseResponseHead('HTTP/1.1 200 OK\r\nX: 1\r\n folded')).status).toBe(400);
    expect(headError(() => parseResponseHead('HTTP/1.1 200 OK\r\nX: a\nb')).status).toBe(400);
  });
});

describe('fieldFacts', () => {
  it('is all absent for no relevant fields (names of the same lengths but other spellings ignored)', () => {
    expect(fieldFacts(['Accept', '*/*', 'X-Forwarded-Fox', '1.2.3.4', 'Content-Lengthy', '5', 'Hots', 'x', 'Upgrad3', 'h2c'])).toEqual({
      contentLength: undefined,
      transferEncoding: undefined,
      connection: undefined,
      upgrade: undefined,
      forwardedFor: undefined,
      hasHost: false,
    });
  });

  it('parses Content-Length whatever the case of its name', () => {
    expect(fieldFacts(['Content-Length', '42']).contentLength).toBe(42);
    expect(fieldFacts(['content-LENGTH', '0']).contentLength).toBe(0);
    expect(fieldFacts(['CONTENT-LENGTH', '007']).contentLength).toBe(7);
    expect(fieldFacts(['content-length', '999999999999999']).contentLength).toBe(999999999999999);
  });

  it('accepts the same Content-Length twice, not two different ones', () => {
    expect(fieldFacts(['Content-Length', '5', 'content-length', '5']).contentLength).toBe(5);
    expect(fieldFacts(['Content-Length', '5', 'Content-Length', '6']).contentLength).toBeNaN();
    // once conflicting, a later agreeing value does not repair it
    expect(fieldFacts(['Content-Length', '5', 'Content-Length', '6', 'Content-Length', '5']).contentLength).toBeNaN();
    expect(fieldFacts(['Content-Length', 'x', 'Content-Length', '5']).contentLength).toBeNaN();
    expect(fieldFacts(['Content-Length', '5', 'Content-Length', 'x']).contentLength).toBeNaN();
  });

  it.each(['', 'abc', '-1', '+1', '1.5', '1e3', '0x10', '5, 5', '5 5', '1234567890123456'])('gives NaN for Content-Length "%s"', (value) => {
    expect(fieldFacts(['Content-Length', value]).contentLength).toBeNaN();
  });

  it('joins Transfer-Encoding across repeated fields', () => {
    const facts = fieldFacts(['Transfer-Encoding', 'gzip', 'X', 'y', 'transfer-encoding', 'chunked']);
    expect(facts.transferEncoding).toBe('gzip, chunked');
    expect(isChunkedLast(facts.transferEncoding!)).toBe(true);
    expect(fieldFacts(['TRANSFER-ENCODING', 'chunked', 'Transfer-Encoding', 'gzip']).transferEncoding).toBe('chunked, gzip');
  });

  it('lower-cases and splits Connection tokens across repeated fields', () => {
    const facts = fieldFacts(['Connection', 'Keep-Alive, Upgrade', 'connection', ' close ,,TE', 'CONNECTION', 'keep-alive']);
    expect(facts.connection).toEqual(new Set(['keep-alive', 'upgrade', 'close', 'te']));
  });

  it('keeps the first Upgrade and the first X-Forwarded-For', () => {
    const facts = fieldFacts(['Upgrade', 'websocket', 'upgrade', 'h2c', 'X-Forwarded-For', '1.1.1.1, 2.2.2.2', 'x-forwarded-for', '3.3.3.3']);
    expect(facts.upgrade).toBe('websocket');
    expect(facts.forwardedFor).toBe('1.1.1.1, 2.2.2.2');
  });

  it('notes a Host field in any case', () => {
    expect(fieldFacts(['HOST', 'h']).hasHost).toBe(true);
    expect(fieldFacts(['host', '']).hasHost).toBe(true);
    expect(fieldFacts(['X-Host', 'h']).hasHost).toBe(false);
  });

  it('works on a parsed head', () => {
    const { raw } = parseRequestHead('POST /up HTTP/1.1\r\nhost: h\r\nContent-Length: 12\r\nConnection: Upgrade\r\nUpgrade: websocket');
    expect(fieldFacts(raw)).toEqual({
      contentLength: 12,
      transferEncoding: undefined,
      connection: new Set(['upgrade']),
      upgrade: 'websocket',
      forwardedFor: undefined,
      hasHost: true,
    });
  });
});

describe('isChunkedLast', () => {
  it.each([
    ['chunked', true],
    ['gzip, chunked', true],
    ['gzip,chunked', true],
    [' Chunked ', true],
    ['gzip,\tCHUNKED\t', true],
    ['chunked, gzip', false],
    ['identity', false],
    ['', false],
    ['chunkedx', false],
    ['x-chunked', false],
  ])('"%s" -> %s', (te, expected) => {
    expect(isChunkedLast(te)).toBe(expected);
  });
});

describe('BodyFramer.length', () => {
  it('counts across several take() calls and stops exactly at the end', () => {
    const f = BodyFramer.length(10);
    expect(f.done).toBe(false);
    expect(f.delimitedByClose).toBe(false);
    const buf = bytes('abcdefghijklmnop');
    expect(f.take(buf, 0, 3)).toBe(3);
    expect(f.done).toBe(false);
    expect(f.take(buf, 3, 7)).toBe(4);
    expect(f.done).toBe(false);
    // 9 offered, 3 left in the body: the rest belongs to the next message
    expect(f.take(buf, 7, 16)).toBe(3);
    expect(f.done).toBe(true);
    expect(f.take(buf, 10, 16)).toBe(0);
    expect(f.done).toBe(true);
  });

  it('an empty take counts nothing', () => {
    const f = BodyFramer.length(2);
    expect(f.take(bytes('xy'), 1, 1)).toBe(0);
    expect(f.done).toBe(false);
  });

  it('length(0) is done at once and takes nothing', () => {
    const f = BodyFramer.length(0);
    expect(f.done).toBe(true);
    expect(f.take(bytes('GET / HTTP/1.1\r\n'), 0, 16)).toBe(0);
    expect(f.done).toBe(true);
  });
});

describe('BodyFramer.chunked', () => {
  const body =
    '5;name=value\r\nhello\r\n' + // chunk extension
    'A\r\n0123456789\r\n' + // upper-case hex
    '1a\r\nabcdefghijklmnopqrstuvwxyz\r\n' + // lower-case hex
    '0\r\nX-Trailer-One: 1\r\nX-Trailer-Two: two\r\n\r\n'; // trailer section
  const next = 'GET /next HTTP/1.1\r\nHost: h\r\n\r\n';
  const wire = bytes(body + next);
  const bodyLength = body.length;

  it('finds the end of a whole body and leaves the next message', () => {
    const f = BodyFramer.chunked();
    expect(f.delimitedByClose).toBe(false);
    expect(f.take(wire, 0, wire.length)).toBe(bodyLength);
    expect(f.done).toBe(true);
    expect(f.take(wire, bodyLength, wire.length)).toBe(0);
  });

  it('respects start and end within a larger buffer', () => {
    const framed = Buffer.concat([bytes('PREFIX'), wire]);
    const f = BodyFramer.chunked();
    expect(f.take(framed, 6, framed.length)).toBe(bodyLength);
    expect(f.done).toBe(true);
  });

  it('gives the same answer split into two pieces at every position', () => {
    for (let p = 0; p <= wire.length; p++) {
      // Same buffer with offsets, and separate copies: neither may matter.
      for (const copies of [false, true]) {
        const f = BodyFramer.chunked();
        const first = copies ? f.take(Buffer.from(wire.subarray(0, p)), 0, p) : f.take(wire, 0, p);
        expect(first, `split at ${p}`).toBe(Math.min(p, bodyLength));
        expect(f.done, `split at ${p}`).toBe(p >= bodyLength);
        const rest = copies ? f.take(Buffer.from(wire.subarray(p)), 0, wire.length - p) : f.take(wire, p, wire.length);
        expect(first + rest, `split at ${p}`).toBe(bodyLength);
        expect(f.done, `split at ${p}`).toBe(true);
      }
    }
  });

  it('gives the same answer one byte at a time, done exactly at the last byte', () => {
    const f = BodyFramer.chunked();
    let total = 0;
    for (let i = 0; i < wire.length; i++) {
      const n = f.take(wire, i, i + 1);
      expect(n, `byte ${i}`).toBe(i < bodyLength ? 1 : 0);
      total += n;
      expect(f.done, `after byte ${i}`).toBe(i + 1 >= bodyLength);
    }
    expect(total).toBe(bodyLength);
  });

  it('accepts a bare last chunk with no trailers, and leading zeros', () => {
    const f = BodyFramer.chunked();
    const last = bytes('0\r\n\r\nHTTP/1.1');
    expect(f.take(last, 0, last.length)).toBe(5);
    expect(f.done).toBe(true);
    const g = BodyFramer.chunked();
    const zeros = bytes('003\r\nabc\r\n000\r\n\r\nNEXT');
    expect(g.take(zeros, 0, zeros.length)).toBe(zeros.length - 4);
    expect(g.done).toBe(true);
  });

  it('accepts blanks between the size and its extension ("5 ;x=1", RFC 9112 BWS)', () => {
    const body = bytes('5 \t;x=1\r\nhello\r\n0\r\n\r\nNEXT');
    const f = BodyFramer.chunked();
    expect(f.take(body, 0, body.length)).toBe(body.length - 4);
    expect(f.done).toBe(true);
  });

  it('accepts a 12-hex-digit size (and waits for its data)', () => {
    const f = BodyFramer.chunked();
    const head = bytes('FFFFFFFFFFFF\r\nabc');
    expect(f.take(head, 0, head.length)).toBe(head.length);
    expect(f.done).toBe(false);
  });

  it.each([
    ['non-hex size', 'g\r\nx\r\n0\r\n\r\n'],
    ['empty size', '\r\n'],
    ['non-hex after the digits', '5x\r\nhello\r\n0\r\n\r\n'],
    ['data longer than the size', '3\r\nhello\r\n0\r\n\r\n'],
    ['data one byte longer than the size, then LF', '3\r\nabcd\n0\r\n\r\n'],
    ['data followed by something other than CRLF', '5\r\nhello\rX0\r\n\r\n'],
    ['bare LF after the size', '5\nhello\r\n0\r\n\r\n'],
    ['CR not followed by LF after the size', '5\rhello\r\n0\r\n\r\n'],
    ['bare LF in a chunk extension', '5;a=b\nhello\r\n0\r\n\r\n'],
    ['more than 12 hex digits', '1000000000000\r\n'],
    ['bare LF in a trailer line', '0\r\nX-T: 1\nY: 2\r\n\r\n'],
    ['bare LF as a trailer line', '0\r\nX-T: 1\r\n\n'],
    ['bare LF instead of the final CRLF', '0\r\n\n'],
    ['final CR not followed by LF', '0\r\n\rX'],
    ['text after the size and a blank (not "BWS ;")', '5 junk\r\nhello\r\n0\r\n\r\n'],
  ])('throws FramingError on %s', (_, text) => {
    const buf = bytes(text);
    expect(() => BodyFramer.chunked().take(buf, 0, buf.length)).toThrow(FramingError);
    // The same error when the bytes come one at a time.
    const f = BodyFramer.chunked();
    expect(() => {
      for (let i = 0; i < buf.length; i++) f.take(buf, i, i + 1);
    }).toThrow(FramingError);
  });
});

describe('BodyFramer.untilClose', () => {
  it('takes everything and is never done', () => {
    const f = BodyFramer.untilClose();
    expect(f.delimitedByClose).toBe(true);
    expect(f.done).toBe(false);
    const buf = bytes('0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
    expect(f.take(buf, 0, buf.length)).toBe(buf.length);
    expect(f.take(buf, 3, 10)).toBe(7);
    expect(f.take(buf, 5, 5)).toBe(0);
    expect(f.done).toBe(false);
    expect(f.delimitedByClose).toBe(true);
  });

  it('is the only framer delimited by close, even once the others are done', () => {
    const length = BodyFramer.length(1);
    length.take(bytes('x'), 0, 1);
    const chunked = BodyFramer.chunked();
    chunked.take(bytes('0\r\n\r\n'), 0, 5);
    expect([length.done, chunked.done]).toEqual([true, true]);
    expect(length.delimitedByClose).toBe(false);
    expect(chunked.delimitedByClose).toBe(false);
    expect(BodyFramer.length(0).delimitedByClose).toBe(false);
  });
});
