/**
 * readFunction: a function read, checked and loaded once on this thread, in one synchronous
 * call (the distributed coordinator, tests). Apart from replay.ts so that a local replay's main
 * thread, which imports replay.ts, does not import the engines (the sandbox) unless it must
 * load a function itself.
 */
import { loadFunctionWith, type Engine } from '../runtime/engines.js';
import type { DeployTransforms } from '../runtime/transforms.js';
import type { Runtime } from '../runtime/types.js';
import { readFunctionSource, type LoadedSource } from './replay.js';

export function readFunction(path: string, label: 'OLD' | 'NEW', runtimeFlag: Runtime | undefined, transforms?: DeployTransforms, engine: Engine = 'v8', crossCheck = false): LoadedSource {
  const read = readFunctionSource(path, label, runtimeFlag, transforms, engine, crossCheck);
  read.loadWith(loadFunctionWith);
  return read;
}
