/** The programmatic API of cfreplay: `import { ... } from 'cfreplay'`. */
export * from './event/index.js';
export * from './store/index.js';
export * from './runtime/index.js';
export { replay, ReplayInputError, DEFAULT_TIMEOUT_MS, type ReplayOptions, type ReplayProgress, type ChunkSource } from './replay/replay.js';
export { processChunk, type ChunkTask, type FunctionPair, type ProcessorOptions } from './replay/chunk-processor.js';
export type { ChunkResult } from './results/chunk-result.js';
export { RunAccumulator } from './results/run-accumulator.js';
export { inferEventType } from './replay/event-type.js';
export { buildReport, gateChecks } from './results/build.js';
export { formatTerminalReport } from './report/terminal.js';
export { writeReportOutputs, renderHtml, renderMarkdown, renderJunit, readReport, validateReport } from './report/outputs.js';
export * from './results/types.js';
export type { DiffKind, Risk, OutcomeLabel } from './diff/types.js';
export * as diff from './diff/index.js';
export * as record from './record/index.js';
export * as redis from './store/redis/index.js';
export { replayDistributed, type DistributedReplayOptions } from './distributed/coordinator.js';
export { DistributedWorker, type WorkerOptions } from './distributed/worker.js';
