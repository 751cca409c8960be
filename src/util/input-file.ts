/**
 * The one wording for an input file that cannot be opened or read, used by every reader
 * (functions, events, captures, corpora, reports, KVS and case files). `what` names what
 * was expected, without an article ("HAR file", "OLD function", "corpus file"):
 *   `<path>: <what> not found` / `<path>: is a directory, expected a <what>` /
 *   `<path>: permission denied, cannot read the <what>` / `<path>: cannot read the <what> (<code>)`.
 * Each layer throws the message in its own UserError class.
 */
const article = (what: string): string => (/^[aeiou]/i.test(what) ? 'an' : 'a');

/** `what` with its article: "a CloudFront log file", "an event file". */
export const withArticle = (what: string): string => `${article(what)} ${what}`;

export function inputFileMessage(path: string, e: unknown, what: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `${path}: ${what} not found`;
    case 'EISDIR':
      return `${path}: is a directory, expected ${withArticle(what)}`;
    case 'EACCES':
    case 'EPERM':
      return `${path}: permission denied, cannot read the ${what}`;
    default:
      return `${path}: cannot read the ${what} (${code ?? (e as Error).message})`;
  }
}
