/**
 * Does a function use a KeyValueStore? A function that imports the
 * `cloudfront` module and reaches for its `kvs` member, run without a store,
 * fails on every event in every version: a replay of it would report "no
 * behavioural difference" while proving nothing. The commands make that a
 * usage error naming --kvs (or --kvs-empty, when an empty store is meant).
 *
 * Found textually on the import's local name (`import cf from 'cloudfront'`
 * then `cf.kvs` or `cf['kvs']`), comments included: a false "uses a store"
 * costs the user one flag, a missed one costs a meaningless green gate.
 */

const IMPORT_CLOUDFRONT = /\bimport\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from\s+['"]cloudfront['"]/g;

/** The line (1-based) of the first use of `<cloudfront>.kvs`, or undefined when the function does not use a store. */
export function kvsUseLine(source: string): number | undefined {
  let first: number | undefined;
  for (const m of source.matchAll(IMPORT_CLOUDFRONT)) {
    const local = m[1]!.replace(/\$/g, '\\$');
    const use = new RegExp(`(?<![\\w$.])${local}\\s*(?:\\.\\s*kvs\\b|\\[\\s*['"]kvs['"]\\s*\\])`).exec(source);
    if (use !== null) {
      const line = source.slice(0, use.index).split('\n').length;
      if (first === undefined || line < first) first = line;
    }
  }
  return first;
}

/** The one-line message for a function that uses a store when none was given. */
export function missingKvsMessage(filename: string, line: number): string {
  return `${filename}:${line}: the function uses a KeyValueStore (cloudfront kvs()) but no store was given: pass --kvs <snapshot.json> ({"data":[{"key","value"}]}), or --kvs-empty to run it against an empty store on purpose`;
}
