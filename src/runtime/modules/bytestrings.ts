/**
 * cloudfront-js-1.0 njs byte-string helpers: String.bytesFrom and
 * String.prototype.fromUTF8 / toUTF8 / fromBytes / toBytes. A byte string is a
 * string whose characters are all <= 0xFF; V8 has no separate type, so results
 * are registered in the invocation's byteStrings set (see InvocationState).
 */
import type { InvocationState } from '../invocation-state.js';
import type { RealmCtors, SandboxApi } from '../prelude.js';

function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function range(s: string, start: unknown, end: unknown): string {
  const a = start === undefined ? 0 : Number(start);
  const b = end === undefined ? s.length : Number(end);
  return s.slice(a, b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function installByteStringHelpers(api: SandboxApi, stringCtor: StringConstructor, state: InvocationState): void {
  const realm: RealmCtors = api.realm;
  const mark = (s: string): string => {
    state.byteStrings.add(s);
    return s;
  };
  api.hide(stringCtor, 'bytesFrom', function bytesFrom(data: unknown, encoding?: unknown): string {
    if (typeof data === 'string') {
      const enc = encoding === undefined ? 'hex' : String(encoding);
      if (enc !== 'hex' && enc !== 'base64' && enc !== 'base64url')
        throw new realm.TypeError(`Unknown encoding: "${enc}"`);
      return mark(Buffer.from(data, enc).toString('latin1'));
    }
    if (data !== null && typeof data === 'object' && typeof (data as { length?: unknown }).length === 'number') {
      const arr = data as ArrayLike<unknown>;
      let out = '';
      for (let i = 0; i < arr.length; i++) out += String.fromCharCode(Number(arr[i]) & 0xff);
      return mark(out);
    }
    throw new realm.TypeError('value must be a string or array');
  });
  const proto = stringCtor.prototype;
  api.hide(proto, 'fromUTF8', function fromUTF8(this: string, start?: unknown, end?: unknown): string | null {
    const s = range(String(this), start, end);
    if (!isByteString(s)) return null;
    try {
      return utf8.decode(Buffer.from(s, 'latin1'));
    } catch {
      return null;
    }
  });
  api.hide(proto, 'toUTF8', function toUTF8(this: string, start?: unknown, end?: unknown): string {
    return mark(Buffer.from(range(String(this), start, end), 'utf8').toString('latin1'));
  });
  api.hide(proto, 'fromBytes', function fromBytes(this: string, start?: unknown, end?: unknown): string | null {
    const s = range(String(this), start, end);
    return isByteString(s) ? s : null;
  });
  api.hide(proto, 'toBytes', function toBytes(this: string, start?: unknown, end?: unknown): string | null {
    const s = range(String(this), start, end);
    return isByteString(s) ? mark(s) : null;
  });
}
