export * from './event/index.js';
