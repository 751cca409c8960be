/** Host-side per-invocation state shared by the host bridges of one loaded function. */
import type { EventType } from '../event/types.js';
import type { OriginChange } from './types.js';

export interface InvocationState {
  eventType: EventType | 'connection';
  /** Origin modifications, null until the first one (no allocation on the common path). */
  origin: OriginChange[] | null;
}

export function newInvocationState(): InvocationState {
  return { eventType: 'viewer-request', origin: null };
}
