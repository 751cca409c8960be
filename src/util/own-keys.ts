/**
 * Maps keyed by names from traffic (query parameters, headers, cookies) are
 * plain objects, because that is what a function receives. A name such as
 * `__proto__`, `constructor`, `toString` or `hasOwnProperty` must be an own
 * property of such a map like any other, and must never reach
 * Object.prototype: reads go through ownGet (never an inherited value), and
 * writes through ownSet (`__proto__` is defined, not assigned, so the
 * prototype setter never runs), as JSON.parse does.
 */

/** The map's own value under `key`, never an inherited one. */
export function ownGet<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Set an own, enumerable property (`__proto__` included) as JSON.parse would. */
export function ownSet<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}
