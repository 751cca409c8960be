/**
 * Generated request ids are stored as a 52-bit seed instead of 56 characters.
 *
 * CloudFront request ids are 40 random-looking bytes in base64 (56 chars with
 * "=="). The recorders generate ours from a hash of the capture; the id's
 * first 7 bytes carry that hash (masked) and the other 33 bytes are expanded
 * from it deterministically. The codec recognises such an id, stores only the
 * seed, and regenerates the exact same string on decode. Any other id (a real
 * one from a log or event file) is stored verbatim.
 */

const MASK = [0x5a, 0xc3, 0x17, 0x9e, 0x2b, 0xd4, 0x68];
const SEED_BYTES = 7;
const ID_BYTES = 40;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const bytes = new Uint8Array(ID_BYTES + 2);
const text = Buffer.alloc(56);
text[54] = 61; // '='
text[55] = 61;

/**
 * The id made last and its seed: the corpus writer asks for the seed of the
 * id the event builder has just made, and recognising it by identity saves
 * decoding and regenerating it (~1 us per record).
 */
let lastId: string | undefined;
let lastSeed = 0;

/** The 56-character id for a seed in [0, 2^52), one at a time (the recorders; a chunk decode makes its ids in blocks with requestIdsFromSeeds). */
export function requestIdFromSeed(seed: number): string {
  const id = idFromSeed(seed);
  if (Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 52) {
    lastId = id;
    lastSeed = seed;
  }
  return id;
}

function idFromSeed(seed: number): string {
  writeId(seed, text, 0);
  return text.toString('latin1', 0, 56);
}

/** The length of every generated id. */
export const REQUEST_ID_LENGTH = 56;

/** Ids made per string by requestIdsFromSeeds when decoding (see ColumnsCursor). */
export const REQUEST_ID_BLOCK = 64;
const blockText = Buffer.alloc(REQUEST_ID_BLOCK * REQUEST_ID_LENGTH);

/**
 * The ids of seeds[start, end), back to back in one string (id k is its
 * characters [56k, 56k + 56)): on decode, one native string creation per
 * block of ids instead of one per record, each id then a slice of it (V8
 * keeps a slice of 13 or more characters as a view of the whole, no copy).
 * A block of at most REQUEST_ID_BLOCK ids is made in a reused buffer and is
 * a 3.5 KB string that dies young with its records (one string per chunk was
 * a 458 KB allocation, page faults included). Same characters as
 * requestIdFromSeed, seed by seed.
 */
export function requestIdsFromSeeds(seeds: ArrayLike<number>, start = 0, end = seeds.length): string {
  const count = end - start;
  const out = count <= REQUEST_ID_BLOCK ? blockText : Buffer.allocUnsafe(count * REQUEST_ID_LENGTH);
  for (let k = 0; k < count; k++) {
    const at = k * REQUEST_ID_LENGTH;
    writeId(seeds[start + k]!, out, at);
    out[at + 54] = 61; // '='
    out[at + 55] = 61;
  }
  return out.toString('latin1', 0, count * REQUEST_ID_LENGTH);
}

/** The first 54 characters of a seed's id (the two '=' are the caller's), written at `o`. */
function writeId(seed: number, out: Uint8Array, o: number): void {
  // The seed's 7 bytes (big-endian, masked) and sfc32's two key words. Every
  // seed a corpus holds is an integer in [0, 2^52): split into 32-bit halves,
  // with integer operations only (`%` on a number V8 cannot prove small is a
  // call to fmod, and this ran 7 of them per id). Any other number (a damaged
  // chunk's varint) takes the general arithmetic, which gives the same bytes.
  let a: number;
  let b: number;
  if (seed >= 0 && seed < 2 ** 52 && Number.isInteger(seed)) {
    const lo = seed >>> 0;
    const hi = (seed - lo) / 0x100000000;
    bytes[0] = (hi >>> 16) ^ MASK[0]!;
    bytes[1] = ((hi >>> 8) & 0xff) ^ MASK[1]!;
    bytes[2] = (hi & 0xff) ^ MASK[2]!;
    bytes[3] = (lo >>> 24) ^ MASK[3]!;
    bytes[4] = ((lo >>> 16) & 0xff) ^ MASK[4]!;
    bytes[5] = ((lo >>> 8) & 0xff) ^ MASK[5]!;
    bytes[6] = (lo & 0xff) ^ MASK[6]!;
    a = lo;
    b = hi;
  } else {
    let s = seed;
    for (let i = SEED_BYTES - 1; i >= 0; i--) {
      bytes[i] = (s % 256) ^ MASK[i]!;
      s = Math.floor(s / 256);
    }
    a = seed >>> 0;
    b = Math.floor(seed / 0x100000000) >>> 0;
  }
  // sfc32 keyed by the seed. Fixed forever: changing it would change every
  // stored id, so do not "improve" it.
  let c = 0x9e3779b9;
  let d = 1;
  for (let i = -12; i < ID_BYTES - SEED_BYTES; i += 4) {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    if (i < 0) continue;
    const at = SEED_BYTES + i;
    bytes[at] = t & 0xff;
    bytes[at + 1] = (t >>> 8) & 0xff;
    bytes[at + 2] = (t >>> 16) & 0xff;
    bytes[at + 3] = (t >>> 24) & 0xff;
  }
  // base64url of the 40 bytes: 13 full groups of 3, then 1 byte left (2 chars + "==").
  for (let i = 0; i < 39; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = B64_CODES[v >>> 18]!;
    out[o++] = B64_CODES[(v >>> 12) & 63]!;
    out[o++] = B64_CODES[(v >>> 6) & 63]!;
    out[o++] = B64_CODES[v & 63]!;
  }
  const last = bytes[39]!;
  out[o++] = B64_CODES[last >>> 2]!;
  out[o] = B64_CODES[(last & 3) << 4]!;
}

/** The seed of an id made by requestIdFromSeed, or undefined for any other id. */
export function seedOfRequestId(id: string): number | undefined {
  if (id === lastId) return lastSeed;
  if (id.length !== 56 || !id.endsWith('==')) return undefined;
  const bytes = Buffer.from(id.slice(0, 54), 'base64url');
  if (bytes.length !== ID_BYTES) return undefined;
  let seed = 0;
  for (let i = 0; i < SEED_BYTES; i++) seed = seed * 256 + (bytes[i]! ^ MASK[i]!);
  if (seed >= 2 ** 52) return undefined;
  return idFromSeed(seed) === id ? seed : undefined;
}

/** A seed from the first 13 hex digits of a digest (52 bits). */
export function seedFromHex(hex: string): number {
  return parseInt(hex.slice(0, 13), 16);
}

/** A seed from the first bytes of a digest (52 bits). */
export function seedFromDigest(digest: Buffer): number {
  let seed = 0;
  for (let i = 0; i < 7; i++) seed = seed * 256 + digest[i]!;
  return seed % 2 ** 52;
}
