/**
 * Which event type to replay when the user does not say: what the functions
 * make obvious. A function that reads `<param>.response` is a viewer-response
 * function; one that does not is a viewer-request function. When OLD and NEW
 * disagree, the user is asked (--event-type) rather than guessed for.
 */
import type { EventType } from '../event/types.js';

const HANDLER_PARAM = /function\s+handler\s*\(\s*([A-Za-z_$][\w$]*)/;

export function readsResponse(source: string): boolean {
  const param = HANDLER_PARAM.exec(source)?.[1] ?? 'event';
  const escaped = param.replace(/\$/g, '\\$');
  return new RegExp(`\\b${escaped}\\s*(?:\\.\\s*response\\b|\\[\\s*['"]response['"]\\s*\\])`).test(source);
}

export type EventTypeDecision = { eventType: EventType } | { ambiguous: string };

export function inferEventType(oldSource: string, newSource: string): EventTypeDecision {
  const o = readsResponse(oldSource);
  const n = readsResponse(newSource);
  if (o === n) return { eventType: o ? 'viewer-response' : 'viewer-request' };
  return {
    ambiguous: `${o ? 'OLD' : 'NEW'} reads event.response (a viewer-response function) but ${o ? 'NEW' : 'OLD'} does not`,
  };
}
