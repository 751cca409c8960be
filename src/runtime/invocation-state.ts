/** Host-side per-invocation state shared by the built-in modules of one loaded function. */
import type { EventType } from '../event/types.js';
import type { OriginChange } from './types.js';

export interface InvocationState {
  eventType: EventType | 'connection';
  /** Origin modifications, null until the first one (no allocation on the common path). */
  origin: OriginChange[] | null;
  /**
   * 1.0 only: strings known to be njs *byte strings* (made by digest(),
   * String.bytesFrom, toUTF8, toBytes) in this invocation. crypto's update()
   * and createHmac() read these as raw bytes (latin1) instead of UTF-8, which
   * is what njs does with a byte string (e.g. chained HMACs for SigV4).
   */
  byteStrings: Set<string>;
}

export function newInvocationState(): InvocationState {
  return { eventType: 'viewer-request', origin: null, byteStrings: new Set() };
}
