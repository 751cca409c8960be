/** Deep copy of a sandbox value into plain host JSON data (functions and cycles dropped). */
export function toJsonSafe(v: unknown): unknown {
  if (v === undefined) return undefined;
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    return s === undefined ? undefined : (JSON.parse(s) as unknown);
  } catch {
    return String(v);
  }
}
