export * from './types.js';
export * from './exchange.js';
export * from './header-policy.js';
export * from './url.js';
export * from './build.js';
export * from './views.js';
export * from './request-id.js';
export * from './connection.js';
