/**
 * A copy of `s` that holds only its own characters. V8 cuts substrings
 * (slice, split) of 13 characters and more as views of the original text,
 * so a field cut from a log line keeps the whole text it came from alive:
 * the worker's line batch, or the 1 MB read chunk. A memo that keeps such a
 * string as a key pins megabytes per entry; it keeps a detached copy instead.
 * JSON.parse builds a new flat string (~150 ns for a short one; done once
 * per memo miss).
 */
export function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
