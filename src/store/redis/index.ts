export * from './connect.js';
export * from './keys.js';
export * from './corpus.js';
export * from './admin.js';
