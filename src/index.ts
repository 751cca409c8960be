/** The programmatic API of cfreplay: `import { ... } from 'cfreplay'`. */
export * from './event/index.js';
export * from './store/index.js';
export * from './runtime/index.js';
