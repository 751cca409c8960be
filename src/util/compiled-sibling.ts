import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * URL of a compiled JS module next to the calling module, for worker
 * threads (which run plain JS). When the caller itself runs from src/*.ts
 * (vitest transpiles on the fly), the sibling is taken from dist/, which the
 * test command builds first.
 */
export function compiledSibling(callerUrl: string, fileName: string): URL {
  if (callerUrl.endsWith('.ts')) {
    const url = new URL(fileName, callerUrl.replace(/\/src\/((?:[^/]+\/)*)[^/]+\.ts$/, '/dist/$1'));
    if (!existsSync(fileURLToPath(url))) {
      throw new Error(`${fileURLToPath(url)} is missing: build first (npx tsc -p tsconfig.json)`);
    }
    return url;
  }
  return new URL(`./${fileName}`, callerUrl);
}
