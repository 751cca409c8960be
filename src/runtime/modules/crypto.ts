/**
 * The `crypto` built-in module: createHash / createHmac with md5, sha1,
 * sha256; update(data) chainable; digest('hex'|'base64'|'base64url') or
 * digest() -> 1.0: byte string, 2.0: Buffer. Errors are thrown as realm
 * errors with njs texts.
 */
import nodeCrypto from 'node:crypto';
import type { RealmCtors } from '../prelude.js';
import type { InvocationState } from '../invocation-state.js';

const ALGORITHMS = new Set(['md5', 'sha1', 'sha256']);
const ENCODINGS = new Set(['hex', 'base64', 'base64url']);

type Digestable = nodeCrypto.Hash | nodeCrypto.Hmac;

export function toBytes(data: unknown, state: InvocationState, runtime2: boolean): Buffer | string {
  if (typeof data === 'string') {
    if (!runtime2 && state.byteStrings.size > 0 && state.byteStrings.has(data)) return Buffer.from(data, 'latin1');
    return Buffer.from(data, 'utf8');
  }
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]')
    return Buffer.from(data as ArrayBuffer);
  return String(data);
}

export function makeCryptoModule(realm: RealmCtors, state: InvocationState, runtime2: boolean): object {
  function wrap(h: Digestable, kind: string): object {
    let done = false;
    const obj = new realm.Object() as Record<string, unknown>;
    obj.update = function update(data: unknown): unknown {
      if (done) throw new realm.Error('Digest already called');
      h.update(toBytes(data, state, runtime2));
      return obj;
    };
    obj.digest = function digest(encoding?: unknown): unknown {
      if (done) throw new realm.Error('Digest already called');
      done = true;
      if (encoding === undefined) {
        const buf = h.digest();
        if (runtime2) return buf;
        const s = buf.toString('latin1');
        state.byteStrings.add(s);
        return s;
      }
      const enc = String(encoding);
      if (!ENCODINGS.has(enc)) throw new realm.TypeError(`Unknown digest encoding: "${enc}"`);
      return h.digest(enc as 'hex' | 'base64' | 'base64url');
    };
    void kind;
    return obj;
  }
  const mod = new realm.Object() as Record<string, unknown>;
  mod.createHash = function createHash(alg: unknown): unknown {
    const a = String(alg);
    if (!ALGORITHMS.has(a)) throw new realm.TypeError(`not supported algorithm: "${a}"`);
    return wrap(nodeCrypto.createHash(a), 'Hash');
  };
  mod.createHmac = function createHmac(alg: unknown, key: unknown): unknown {
    const a = String(alg);
    if (!ALGORITHMS.has(a)) throw new realm.TypeError(`not supported algorithm: "${a}"`);
    return wrap(nodeCrypto.createHmac(a, toBytes(key, state, runtime2)), 'Hmac');
  };
  return Object.freeze(mod);
}
