/**
 * The two engines behind LoadedFunction: `v8` (a vm context per function,
 * fast, close to njs on ordinary traffic) and `njs` (nginx's njs compiled to
 * WebAssembly, the engine family CloudFront runs; see engine/README.md).
 */
import { loadFunction, type LoadedFunction } from './loader.js';
import { loadNjsFunction } from './njs/loader.js';
import type { CheckedSource } from './function-source.js';
import type { LoadOptions } from './types.js';

import type { Engine } from './engine-names.js';

export { DEFAULT_ENGINE, ENGINES, type Engine } from './engine-names.js';

/** `checked`: the syntax gate's verdict on this source from another thread (function-source.ts checkedFor). */
export function loadFunctionWith(engine: Engine, source: string, opts: LoadOptions = {}, checked?: CheckedSource): LoadedFunction {
  return engine === 'njs' ? loadNjsFunction(source, opts, checked) : loadFunction(source, opts, checked);
}
