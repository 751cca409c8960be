/**
 * A streaming, byte-level structural scanner for HAR files.
 *
 * HAR files can be far bigger than V8's largest string (~512 MB), so the file
 * is never parsed whole. The scanner is fed the file's Buffer chunks in order
 * (any sizes, down to one byte), checks the JSON grammar of the whole file as
 * it goes (nesting, commas, colons, literals, numbers, string boundaries),
 * finds `log.entries`, and hands back the exact text of each entry, which the
 * caller `JSON.parse`s: only one entry is ever materialised.
 *
 * Bodies are elided on the way: `response.content.text`,
 * `request.postData.text` and `_webSocketMessages` become `""` / `null` in the
 * entry text (CloudFront Functions never see bodies, and they are most of a
 * HAR's bytes). Their string contents are skipped with `Buffer.indexOf`, so
 * escapes inside them are not validated; everything that is parsed is
 * validated by `JSON.parse`.
 *
 * Also handled: a UTF-8 BOM, a JSONP wrapper (`callback({...});`, the `.harp`
 * format of HAR Viewer), chunk boundaries anywhere (inside a string, an
 * escape, a number, a literal, the BOM).
 *
 * Why not stream-json: it tokenises every string (including multi-megabyte
 * bodies) into JS strings and emits an event per token; building each entry
 * back from tokens measured far below the 50 MB/s target. Slicing raw bytes
 * and letting V8's native JSON.parse do the entry is much faster and keeps
 * memory bounded by the largest entry without its body.
 */
import { UserError } from '../../util/user-error.js';

/** A syntax or structure problem, with the place it was found. */
export class HarFormatError extends UserError {
  override name = 'HarFormatError';
  /** The CLI prints the message on one line and exits 2. */
  constructor(
    message: string,
    /** Byte offset in the (decompressed) file. */
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface ScannedEntry {
  /** 0-based index in `log.entries`. */
  index: number;
  /** Byte offset of the entry's first byte in the file. */
  offset: number;
  /** Line of the entry's first byte (1-based). */
  line: number;
  /**
   * The entry's JSON text with bodies elided, or undefined when the entry is
   * not a JSON object (see `problem`) or is too large.
   */
  text: string | undefined;
  /** Why `text` is undefined. */
  problem?: 'not an object' | 'too large';
}

export interface HarMeta {
  /** `log.version`, `log.creator`, `log.browser` when present (parsed). */
  version?: unknown;
  creator?: unknown;
  browser?: unknown;
  /** The file had a UTF-8 byte order mark. */
  bom: boolean;
  /** The file was wrapped in JSONP (`name(...)`), e.g. a `.harp` file. */
  jsonp: boolean;
}

export interface ScannerOptions {
  /** Replace bodies by placeholders (default true). */
  elideBodies?: boolean;
  /** An entry bigger than this (after elision) is reported as too large. Default 64 MiB. */
  maxEntryBytes?: number;
  /** Maximum nesting depth. Default 512. */
  maxDepth?: number;
}

// Container kinds
const K_OBJ = 1;
const K_ARR = 2;

// Roles of a value in the HAR structure
const R_OTHER = 0;
const R_ROOT = 1;
const R_LOG = 2;
const R_ENTRIES = 3;
const R_ENTRY = 4;
const R_REQUEST = 5;
const R_RESPONSE = 6;
const R_CONTENT = 7;
const R_POSTDATA = 8;
const R_ELIDE = 9;
const R_META = 10;

// What the grammar expects next
const E_VALUE = 0;
const E_VALUE_OR_END = 1; // just after '['
const E_KEY = 2; // after ',' in an object
const E_KEY_OR_END = 3; // just after '{'
const E_COLON = 4;
const E_COMMA_OR_END = 5;

// Phases
const P_PRE = 0; // before the root value (BOM, whitespace, JSONP name)
const P_JSONP_NAME = 1;
const P_BODY = 3;
const P_POST = 4;

// Token in progress
const T_NONE = 0;
const T_STRING = 1;
const T_NUMBER = 2;
const T_LITERAL = 3;

/*
 * JSON number grammar as a DFA over bytes (no strings built):
 * 0 start, 1 after '-', 2 leading '0', 3 integer digits, 4 after '.',
 * 5 fraction digits, 6 after 'e', 7 after exponent sign, 8 exponent digits,
 * 9 invalid. Accepting: 2, 3, 5, 8.
 */
const N_INVALID = 9;
const NUMBER_NEXT = buildNumberTable();
const NUMBER_ACCEPT = [false, false, true, true, false, true, false, false, true, false];

function buildNumberTable(): Uint8Array {
  const t = new Uint8Array(10 * 128).fill(N_INVALID);
  const set = (from: number, chars: string, to: number) => {
    for (const ch of chars) t[from * 128 + ch.charCodeAt(0)] = to;
  };
  const digits = '0123456789';
  set(0, '-', 1);
  set(0, '0', 2);
  set(0, '123456789', 3);
  set(1, '0', 2);
  set(1, '123456789', 3);
  set(2, '.', 4);
  set(2, 'eE', 6);
  set(3, digits, 3);
  set(3, '.', 4);
  set(3, 'eE', 6);
  set(4, digits, 5);
  set(5, digits, 5);
  set(5, 'eE', 6);
  set(6, '+-', 7);
  set(6, digits, 8);
  set(7, digits, 8);
  set(8, digits, 8);
  return t;
}
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];
const EMPTY_STRING_JSON = Buffer.from('""');
const NULL_JSON = Buffer.from('null');

function isNumberByte(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

function isJsonpNameByte(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46;
}

function describeByte(c: number): string {
  if (c >= 0x21 && c <= 0x7e) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * Members whose value has a role, per frame role. Elided: bodies, the
 * producer-decoded `queryString[]` (the raw query comes from `url`), timings
 * and Chrome's `_initiator` (stack traces): none is used, all cost parsing.
 */
const ROLE_KEYS: (readonly (readonly [string, number])[] | undefined)[] = [];
ROLE_KEYS[R_ROOT] = [['log', R_LOG]];
ROLE_KEYS[R_LOG] = [
  ['entries', R_ENTRIES],
  ['creator', R_META],
  ['browser', R_META],
  ['version', R_META],
];
ROLE_KEYS[R_ENTRY] = [
  ['request', R_REQUEST],
  ['response', R_RESPONSE],
  ['_webSocketMessages', R_ELIDE],
  ['timings', R_ELIDE],
  ['_initiator', R_ELIDE],
];
ROLE_KEYS[R_REQUEST] = [
  ['postData', R_POSTDATA],
  ['queryString', R_ELIDE],
];
ROLE_KEYS[R_RESPONSE] = [['content', R_CONTENT]];
ROLE_KEYS[R_CONTENT] = [['text', R_ELIDE]];
ROLE_KEYS[R_POSTDATA] = [['text', R_ELIDE]];
const ROLE_KEY_BYTES: (readonly [Buffer, number][] | undefined)[] = ROLE_KEYS.map((list) => list?.map(([k, r]) => [Buffer.from(k), r] as const));

function childRole(frameRole: number, key: string): number {
  const list = ROLE_KEYS[frameRole];
  if (list === undefined) return R_OTHER;
  for (const [k, r] of list) if (k === key) return r;
  return R_OTHER;
}

/** childRole for a key held in chunk[start, end) without escapes, no string made. */
function childRoleBytes(frameRole: number, chunk: Buffer, start: number, end: number): number {
  const list = ROLE_KEY_BYTES[frameRole];
  if (list === undefined) return R_OTHER;
  const len = end - start;
  outer: for (const [k, r] of list) {
    if (k.length !== len) continue;
    for (let j = 0; j < len; j++) if (k[j] !== chunk[start + j]) continue outer;
    return r;
  }
  return R_OTHER;
}

/** Frames whose member names decide a role (their keys must be read). */
function keysMatter(frameRole: number): boolean {
  return frameRole !== R_OTHER && frameRole !== R_ELIDE && frameRole !== R_META && frameRole !== R_ENTRIES;
}

export class HarScanner {
  readonly meta: HarMeta = { bom: false, jsonp: false };
  /** Bytes fed so far. */
  bytes = 0;
  /** Entries seen so far (objects or not). */
  entryCount = 0;

  private readonly label: string;
  private readonly elide: boolean;
  private readonly maxEntryBytes: number;
  private readonly maxDepth: number;

  private phase = P_PRE;
  private expect = E_VALUE;
  private depth = 0;
  private readonly kinds: Uint8Array;
  private readonly roles: Uint8Array;
  /** Role of the value that follows the key just read, per depth. */
  private readonly keyRoles: Uint8Array;

  private line = 1;
  private lineStart = 0;

  // token state
  private tok = T_NONE;
  private strIsKey = false;
  private escPending = false;
  private collectKey = false;
  private keyText = '';
  private keyHasEscape = false;
  private numState = 0;
  private litWord: Buffer = LITERALS[0]!;
  private litPos = 0;
  private tokenOffset = 0;

  // capture state (one entry or meta value at a time)
  private capturing = false;
  private captureRole = R_OTHER;
  private captureDepth = 0;
  private captureStart = 0;
  private captureOffset = 0;
  private captureLine = 0;
  private captureBytes = 0;
  private captureTooLarge = false;
  private parts: Buffer[] = [];
  private eliding = false;
  private elideDepth = 0;
  private metaKey = '';

  // HAR structure seen
  private sawLog = false;
  private sawEntries = false;
  private readonly rootKeys: string[] = [];

  private out: ScannedEntry[] = [];
  private jsonpClosed = false;
  private bomBytes = 0;
  private jsonpGap = false;
  private jsonpName = '';
  private jsonpNameStart = 0;

  /** A file holding only `true`, `false` or `null` is JSON, just not a HAR. */
  private failBareName(offset: number): void {
    const n = this.jsonpName;
    if (n === 'true' || n === 'false' || n === 'null') {
      this.fail(`not a HAR: the file holds a JSON ${n === 'null' ? 'null' : 'boolean'}, expected an object with a "log" member`, offset);
    }
  }

  constructor(label: string, options: ScannerOptions = {}) {
    this.label = label;
    this.elide = options.elideBodies ?? true;
    this.maxEntryBytes = options.maxEntryBytes ?? 64 * 1024 * 1024;
    this.maxDepth = options.maxDepth ?? 512;
    this.kinds = new Uint8Array(this.maxDepth + 1);
    this.roles = new Uint8Array(this.maxDepth + 1);
    this.keyRoles = new Uint8Array(this.maxDepth + 1);
  }

  /** Feed the next chunk; returns the entries completed in it (in order). */
  push(chunk: Buffer): ScannedEntry[] {
    this.out = [];
    const n = chunk.length;
    const base = this.bytes;
    let i = 0;
    if (base < 3 && this.phase === P_PRE) i = this.scanBom(chunk, base);
    while (i < n) {
      switch (this.tok) {
        case T_STRING:
          i = this.scanString(chunk, i);
          continue;
        case T_NUMBER:
          i = this.scanNumber(chunk, i);
          continue;
        case T_LITERAL:
          i = this.scanLiteral(chunk, i);
          continue;
      }
      const c = chunk[i]!;
      // whitespace
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        if (this.phase === P_JSONP_NAME) this.jsonpGap = true;
        if (c === 10) {
          this.line++;
          this.lineStart = base + i + 1;
        }
        i++;
        while (i < n && chunk[i] === 32) i++; // indentation
        continue;
      }
      if (this.phase !== P_BODY) {
        i = this.outside(chunk, i, base, c);
        continue;
      }
      switch (c) {
        case 34 /* " */: {
          const e = this.expect;
          if (e === E_KEY || e === E_KEY_OR_END) {
            this.tok = T_STRING;
            this.strIsKey = true;
            this.tokenOffset = base + i;
            this.collectKey = keysMatter(this.roles[this.depth]!);
            this.keyText = '';
            this.keyHasEscape = false;
            i = this.scanString(chunk, i + 1);
            continue;
          }
          if (e !== E_VALUE && e !== E_VALUE_OR_END) this.unexpected(c, base + i);
          this.beginValue(chunk, i, base, c);
          this.tok = T_STRING;
          this.strIsKey = false;
          this.collectKey = false;
          this.tokenOffset = base + i;
          i = this.scanString(chunk, i + 1);
          continue;
        }
        case 123 /* { */:
        case 91 /* [ */: {
          const e = this.expect;
          if (e !== E_VALUE && e !== E_VALUE_OR_END) this.unexpected(c, base + i);
          this.beginValue(chunk, i, base, c);
          if (this.depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`, base + i);
          const role = this.valueRole();
          this.depth++;
          this.kinds[this.depth] = c === 123 ? K_OBJ : K_ARR;
          this.roles[this.depth] = role;
          this.keyRoles[this.depth] = R_OTHER;
          this.expect = c === 123 ? E_KEY_OR_END : E_VALUE_OR_END;
          i++;
          continue;
        }
        case 125 /* } */: {
          const e = this.expect;
          if (this.kinds[this.depth] !== K_OBJ || (e !== E_KEY_OR_END && e !== E_COMMA_OR_END)) this.unexpected(c, base + i);
          const role = this.roles[this.depth]!;
          this.depth--;
          if (role === R_ROOT) this.checkRootComplete(base + i);
          this.endValue(chunk, i + 1);
          this.afterValue();
          i++;
          continue;
        }
        case 93 /* ] */: {
          const e = this.expect;
          if (this.kinds[this.depth] !== K_ARR || (e !== E_VALUE_OR_END && e !== E_COMMA_OR_END)) this.unexpected(c, base + i);
          this.depth--;
          this.endValue(chunk, i + 1);
          this.afterValue();
          i++;
          continue;
        }
        case 44 /* , */:
          if (this.expect !== E_COMMA_OR_END) this.unexpected(c, base + i);
          this.expect = this.kinds[this.depth] === K_OBJ ? E_KEY : E_VALUE;
          i++;
          continue;
        case 58 /* : */:
          if (this.expect !== E_COLON) this.unexpected(c, base + i);
          this.expect = E_VALUE;
          i++;
          continue;
        case 116 /* t */:
        case 102 /* f */:
        case 110 /* n */: {
          const e = this.expect;
          if (e !== E_VALUE && e !== E_VALUE_OR_END) this.unexpected(c, base + i);
          this.beginValue(chunk, i, base, c);
          this.tok = T_LITERAL;
          this.litWord = LITERALS[c === 116 ? 0 : c === 102 ? 1 : 2]!;
          this.litPos = 1;
          this.tokenOffset = base + i;
          i++;
          continue;
        }
        default: {
          if (c === 45 || (c >= 48 && c <= 57)) {
            const e = this.expect;
            if (e !== E_VALUE && e !== E_VALUE_OR_END) this.unexpected(c, base + i);
            this.beginValue(chunk, i, base, c);
            this.tok = T_NUMBER;
            this.numState = 0;
            this.tokenOffset = base + i;
            i = this.scanNumber(chunk, i);
            continue;
          }
          this.unexpected(c, base + i);
        }
      }
    }
    // Chunk end: keep what the current capture needs.
    if (this.capturing) {
      if (!this.eliding && this.captureStart < n) this.addPart(chunk.subarray(this.captureStart, n));
      this.captureStart = 0;
    }
    this.bytes = base + n;
    return this.out;
  }

  /** Call after the last chunk: throws when the file is truncated or not a HAR. */
  end(): void {
    const at = this.bytes;
    if (this.bomBytes > 0 && !this.meta.bom) {
      this.fail('truncated: the file ends inside its byte order mark', at);
    }
    if (this.phase === P_PRE) this.fail('empty file: expected a HAR (JSON with a "log" object)', at);
    if (this.phase === P_JSONP_NAME) {
      this.failBareName(0);
      this.fail('not JSON: the file holds only a name', at);
    }
    if (this.phase === P_BODY) {
      let where = '';
      if (this.capturing && this.captureRole === R_ENTRY) {
        where = ` inside log.entries[${this.entryCount - 1}] (which starts at line ${this.captureLine}, byte ${this.captureOffset})`;
      } else if (this.tok === T_STRING) {
        where = ` inside a string that starts at byte ${this.tokenOffset}`;
      } else if (this.depth > 0) {
        where = ` with ${this.depth} unclosed ${this.depth === 1 ? 'bracket' : 'brackets'}`;
      }
      this.fail(`truncated JSON: the file ends${where}`, at, false);
    }
    if (this.meta.jsonp && !this.jsonpClosed) this.fail("truncated: JSONP wrapper has no closing ')'", at);
  }

  // ---------------------------------------------------------------------------

  private valueRole(): number {
    const d = this.depth;
    if (d === 0) return R_ROOT;
    if (this.kinds[d] === K_ARR) {
      const r = this.roles[d]!;
      return r === R_ENTRIES ? R_ENTRY : R_OTHER;
    }
    return this.keyRoles[d]!;
  }

  /** First byte of any value: HAR shape checks, capture and elision starts. */
  private beginValue(chunk: Buffer, i: number, base: number, c: number): void {
    const role = this.valueRole();
    if (role === R_OTHER) return;
    switch (role) {
      case R_ROOT:
        if (c !== 123) this.fail(`not a HAR: the file holds a JSON ${jsonKind(c)}, expected an object with a "log" member`, base + i);
        return;
      case R_LOG:
        this.sawLog = true;
        if (c !== 123) this.fail(`not a HAR: "log" is ${aJsonKind(c)}, expected an object`, base + i);
        return;
      case R_ENTRIES:
        this.sawEntries = true;
        if (c !== 91) this.fail(`not a HAR: "log.entries" is ${aJsonKind(c)}, expected an array`, base + i);
        return;
      case R_ENTRY: {
        const index = this.entryCount++;
        if (c !== 123) {
          this.out.push({ index, offset: base + i, line: this.line, text: undefined, problem: 'not an object' });
          return;
        }
        this.startCapture(R_ENTRY, i, base);
        return;
      }
      case R_META:
        if (!this.capturing) {
          this.metaKey = this.lastKey;
          this.startCapture(R_META, i, base);
        }
        return;
      case R_ELIDE:
        if (this.elide && this.capturing && !this.eliding) {
          if (i > this.captureStart) this.addPart(chunk.subarray(this.captureStart, i));
          this.addPart(c === 34 ? EMPTY_STRING_JSON : NULL_JSON, true);
          this.eliding = true;
          this.elideDepth = this.depth;
        }
        return;
      default:
        return;
    }
  }

  private startCapture(role: number, i: number, base: number): void {
    this.capturing = true;
    this.captureRole = role;
    this.captureDepth = this.depth;
    this.captureStart = i;
    this.captureOffset = base + i;
    this.captureLine = this.line;
    this.captureBytes = 0;
    this.captureTooLarge = false;
    this.parts = [];
  }

  private addPart(part: Buffer, shared = false): void {
    if (this.captureTooLarge) return;
    this.captureBytes += part.length;
    if (this.captureBytes > this.maxEntryBytes) {
      this.captureTooLarge = true;
      this.parts = [];
      return;
    }
    // Copy: the caller may reuse its chunk buffers.
    this.parts.push(shared ? part : Buffer.from(part));
  }

  /** A value ended just before index `end` of the chunk (depth is the parent's). */
  private endValue(chunk: Buffer, end: number): void {
    if (!this.capturing) return;
    if (this.eliding) {
      if (this.depth === this.elideDepth) {
        this.eliding = false;
        this.captureStart = end;
      }
      return;
    }
    if (this.depth !== this.captureDepth) return;
    let text: string | undefined;
    if (!this.captureTooLarge) {
      if (this.parts.length === 0) {
        if (end - this.captureStart > this.maxEntryBytes) this.captureTooLarge = true;
        else text = chunk.toString('utf8', this.captureStart, end);
      } else {
        this.addPart(chunk.subarray(this.captureStart, end));
        if (!this.captureTooLarge) text = Buffer.concat(this.parts).toString('utf8');
      }
    }
    this.parts = [];
    this.capturing = false;
    if (this.captureRole === R_ENTRY) {
      const entry: ScannedEntry = { index: this.entryCount - 1, offset: this.captureOffset, line: this.captureLine, text };
      if (text === undefined) entry.problem = 'too large';
      this.out.push(entry);
    } else if (text !== undefined) {
      try {
        const value: unknown = JSON.parse(text);
        if (this.metaKey === 'creator') this.meta.creator = value;
        else if (this.metaKey === 'browser') this.meta.browser = value;
        else if (this.metaKey === 'version') this.meta.version = value;
      } catch {
        this.fail(`not valid JSON in "log.${this.metaKey}"`, this.captureOffset);
      }
    }
  }

  private lastKey = '';

  private afterValue(): void {
    if (this.depth === 0) {
      this.phase = P_POST;
      return;
    }
    this.expect = E_COMMA_OR_END;
  }

  private checkRootComplete(at: number): void {
    if (this.sawLog && this.sawEntries) return;
    if (!this.sawLog) {
      const keys = this.rootKeys;
      let hint = '';
      if (keys.includes('Records')) hint = ' (it looks like a Lambda@Edge event, which cfreplay does not record from)';
      else if (keys.includes('context') && keys.includes('request'))
        hint = ' (it looks like a CloudFront Functions event file: record it with `cfreplay record events`)';
      const shown = keys.length === 0 ? 'none' : keys.slice(0, 8).map((k) => `"${k}"`).join(', ') + (keys.length > 8 ? ', ...' : '');
      this.fail(`not a HAR: no top-level "log" member (top-level members: ${shown})${hint}`, at);
    }
    this.fail('not a HAR: "log" has no "entries" array', at);
  }

  /** Bytes outside the root value: BOM, JSONP wrapper, trailing data. */
  private outside(chunk: Buffer, i: number, base: number, c: number): number {
    const offset = base + i;
    switch (this.phase) {
      case P_PRE: {
        if (offset === 0 && (c === 0xff || c === 0xfe)) this.fail('the file is UTF-16 encoded: save it as UTF-8', offset);
        if (offset === 0 && c === 0x1f && chunk[i + 1] === 0x8b) this.fail('the file is gzip-compressed: decompress it first', offset);
        if (c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57)) {
          this.phase = P_BODY;
          this.expect = E_VALUE;
          return i; // reprocess as a value
        }
        if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36) {
          // A JSONP callback name, or a bare literal (true/false/null), or just text.
          this.phase = P_JSONP_NAME;
          this.jsonpName = String.fromCharCode(c);
          this.jsonpNameStart = offset;
          return i + 1;
        }
        if (c === 60 /* < */) this.fail("not JSON: the file starts with '<' (HTML or XML?)", offset);
        this.fail(`not JSON: unexpected ${describeByte(c)} at the start`, offset);
        break;
      }
      case P_JSONP_NAME:
        if (isJsonpNameByte(c) && !this.jsonpGap) {
          if (this.jsonpName.length < 40) this.jsonpName += String.fromCharCode(c);
          return i + 1;
        }
        if (c === 40 /* ( */) {
          this.meta.jsonp = true;
          this.phase = P_BODY;
          this.expect = E_VALUE;
          return i + 1;
        }
        this.failBareName(offset);
        this.fail(`not JSON: the file starts with the text "${this.jsonpName}" (expected a HAR: JSON with a "log" object)`, this.jsonpNameStart);
        break;
      case P_POST:
        if (this.meta.jsonp && !this.jsonpClosed && c === 41 /* ) */) {
          this.jsonpClosed = true;
          return i + 1;
        }
        if (this.meta.jsonp && this.jsonpClosed && c === 59 /* ; */) return i + 1;
        this.fail(`unexpected ${describeByte(c)} after the end of the JSON value`, offset);
    }
    return i + 1;
  }

  /** The UTF-8 byte order mark, possibly split over chunks. */
  private scanBom(chunk: Buffer, base: number): number {
    let i = 0;
    while (i < chunk.length && base + i < 3) {
      const offset = base + i;
      const c = chunk[i]!;
      if (offset === 0 && c !== 0xef) return i;
      if (c !== [0xef, 0xbb, 0xbf][offset]) this.fail('not JSON: the file starts with invalid UTF-8', offset);
      if (offset === 2) this.meta.bom = true;
      this.bomBytes++;
      i++;
    }
    return i;
  }

  private scanString(chunk: Buffer, i: number): number {
    const n = chunk.length;
    if (this.escPending) {
      this.escPending = false;
      if (this.collectKey) {
        this.keyHasEscape = true;
        this.keyText += chunk.toString('latin1', i, i + 1);
      }
      i++;
      if (i >= n) return n;
    }
    const start = i;
    for (;;) {
      const q = chunk.indexOf(34, i);
      if (q < 0) {
        // The string goes on in the next chunk: is the last byte an unfinished escape?
        let k = 0;
        for (let j = n - 1; j >= i && chunk[j] === 92; j--) k++;
        if (k & 1) this.escPending = true;
        if (this.collectKey) this.keyText += chunk.toString('latin1', start, n);
        return n;
      }
      let k = 0;
      for (let j = q - 1; j >= i && chunk[j] === 92; j--) k++;
      if (k & 1) {
        i = q + 1;
        if (i >= n) {
          if (this.collectKey) this.keyText += chunk.toString('latin1', start, n);
          return n;
        }
        continue;
      }
      // closing quote at q
      this.tok = T_NONE;
      if (this.strIsKey) {
        if (this.collectKey) {
          const frameRole = this.roles[this.depth]!;
          if (this.keyText === '' && !this.keyHasEscape && frameRole !== R_ROOT && frameRole !== R_LOG && noBackslash(chunk, start, q)) {
            this.keyRoles[this.depth] = childRoleBytes(frameRole, chunk, start, q);
          } else {
            this.keyText += chunk.toString('latin1', start, q);
            this.finishKey();
          }
        } else {
          this.keyRoles[this.depth] = R_OTHER;
        }
        this.expect = E_COLON;
      } else {
        this.endValue(chunk, q + 1);
        this.afterValue();
      }
      return q + 1;
    }
  }

  private finishKey(): void {
    let key = this.keyText;
    if (this.keyHasEscape || key.indexOf('\\') >= 0) {
      try {
        key = JSON.parse(`"${Buffer.from(key, 'latin1').toString('utf8')}"`) as string;
      } catch {
        /* an invalid escape inside a key: JSON.parse of the entry reports it */
      }
    }
    const frameRole = this.roles[this.depth]!;
    if (frameRole === R_ROOT && this.rootKeys.length < 50) this.rootKeys.push(key);
    this.lastKey = key;
    this.keyRoles[this.depth] = childRole(frameRole, key);
  }

  private scanNumber(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let state = this.numState;
    let c = 0;
    while (i < n && isNumberByte((c = chunk[i]!))) {
      state = NUMBER_NEXT[state * 128 + c]!;
      i++;
    }
    this.numState = state;
    if (i >= n) return n;
    // number ended before chunk[i]
    this.tok = T_NONE;
    if (!NUMBER_ACCEPT[state]) this.fail('invalid number', this.tokenOffset);
    this.endValue(chunk, i);
    this.afterValue();
    return i;
  }

  private scanLiteral(chunk: Buffer, i: number): number {
    const word = this.litWord;
    const n = chunk.length;
    while (i < n && this.litPos < word.length) {
      if (chunk[i] !== word[this.litPos]) this.fail(`invalid literal (expected '${word.toString()}')`, this.tokenOffset);
      this.litPos++;
      i++;
    }
    if (this.litPos === word.length) {
      this.tok = T_NONE;
      this.endValue(chunk, i);
      this.afterValue();
    }
    return i;
  }

  private unexpected(c: number, offset: number): never {
    const what = this.expectText();
    this.fail(`not valid JSON: unexpected ${describeByte(c)}, expected ${what}`, offset);
  }

  private expectText(): string {
    switch (this.expect) {
      case E_VALUE:
        return 'a value';
      case E_VALUE_OR_END:
        return "a value or ']'";
      case E_KEY:
        return 'a member name (string)';
      case E_KEY_OR_END:
        return "a member name or '}'";
      case E_COLON:
        return "':'";
      default:
        return this.kinds[this.depth] === K_OBJ ? "',' or '}'" : "',' or ']'";
    }
  }

  private fail(what: string, offset: number, sayEntry = true): never {
    // Line/column are exact when the offset is on the current line (always the case for syntax errors).
    const line = this.line;
    const column = offset >= this.lineStart ? offset - this.lineStart + 1 : 0;
    const place = column > 0 ? `line ${line}, column ${column}, byte ${offset}` : `byte ${offset}`;
    const where = sayEntry && this.capturing && this.captureRole === R_ENTRY ? ` (in log.entries[${this.entryCount - 1}])` : '';
    throw new HarFormatError(`${this.label}: ${what} at ${place}${where}`, offset, line, column);
  }
}

function noBackslash(chunk: Buffer, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if (chunk[j] === 92) return false;
  return true;
}

function jsonKind(c: number): string {
  if (c === 91) return 'array';
  if (c === 34) return 'string';
  if (c === 116 || c === 102) return 'boolean';
  if (c === 110) return 'null';
  if (c === 123) return 'object';
  return 'number';
}

function aJsonKind(c: number): string {
  const k = jsonKind(c);
  return k === 'null' ? 'null' : k === 'array' || k === 'object' ? `an ${k}` : `a ${k}`;
}

/** Scan a whole in-memory buffer (tests, small files). */
export function scanHarBuffer(label: string, data: Buffer, options?: ScannerOptions): { entries: ScannedEntry[]; meta: HarMeta } {
  const scanner = new HarScanner(label, options);
  const entries = scanner.push(data);
  scanner.end();
  return { entries, meta: scanner.meta };
}
