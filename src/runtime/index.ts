/** Public API of the CloudFront Functions sandbox. */
export { loadFunction, outcomeErrorMessage, type LoadedFunction } from './loader.js';
export { detectRuntime, checkSource, MAX_CODE_BYTES } from './syntax-gate.js';
export { loadKvsFile, parseKvsSnapshot } from './kvs.js';
export {
  validateCloudFrontEvent,
  normalizeCloudFrontEvent,
  isLambdaEdgeEvent,
  isConnectionEvent,
  looksLikeLambdaEdgeSource,
  LAMBDA_EDGE_EVENT_MESSAGE,
  LAMBDA_EDGE_SOURCE_MESSAGE,
} from './validate-event.js';
export { FunctionLoadError, KvsFileError, EventShapeError, type SourceProblem } from './errors.js';
export { njsMessage, formatError } from './njs-errors.js';
export { effectiveValues, parseQueryString } from './effective.js';
export { runInWorker, WorkerSandbox, type WorkerLoadSpec, type WorkerInvokeOptions } from './worker-runner.js';
export { toJsonSafe } from './json-safe.js';
export * from './types.js';
