/**
 * The engines' names, apart from their loaders (engines.ts, which re-exports these): the CLI
 * lists them among its options without importing the sandbox, which a replay's main thread
 * loads only when it must load a function itself (replay/replay.ts).
 */
export type Engine = 'v8' | 'njs';
export const ENGINES: readonly Engine[] = ['v8', 'njs'];
export const DEFAULT_ENGINE: Engine = 'v8';
