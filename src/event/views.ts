/**
 * Turn a stored exchange into the exact event object a function receives.
 * One recording serves both kinds of function.
 */

import type { EventType, RecordedExchange, ViewerRequestEvent, ViewerResponseEvent } from './types.js';

export type ViewerResponseSkipReason = 'no response captured' | 'origin status >= 400' | 'interim 1xx response';

/**
 * Why a record yields no viewer-response event, or undefined when it does.
 * CloudFront runs viewer-response functions only for origin answers below 400
 * (reference §1). Interim 1xx answers (e.g. 101 Switching Protocols) are not
 * final responses; treating them as not eligible is our documented choice.
 */
export function viewerResponseSkipReason(record: RecordedExchange): ViewerResponseSkipReason | undefined {
  const response = record.response;
  if (response === undefined) return 'no response captured';
  if (response.statusCode >= 400) return 'origin status >= 400';
  if (response.statusCode < 200) return 'interim 1xx response';
  return undefined;
}

function context(record: RecordedExchange, eventType: EventType) {
  return {
    distributionDomainName: record.distributionDomainName,
    distributionId: record.distributionId,
    eventType,
    requestId: record.id,
  };
}

export function toViewerRequestEvent(record: RecordedExchange): ViewerRequestEvent {
  return {
    version: '1.0',
    context: context(record, 'viewer-request'),
    viewer: { ip: record.viewerIp },
    request: record.request,
  };
}

/** Undefined when CloudFront would not run a viewer-response function for this exchange. */
export function toViewerResponseEvent(record: RecordedExchange): ViewerResponseEvent | undefined {
  if (viewerResponseSkipReason(record) !== undefined) return undefined;
  return {
    version: '1.0',
    context: context(record, 'viewer-response'),
    viewer: { ip: record.viewerIp },
    request: record.request,
    response: record.response!,
  };
}

export function toEvent(record: RecordedExchange, eventType: EventType): ViewerRequestEvent | ViewerResponseEvent | undefined {
  return eventType === 'viewer-request' ? toViewerRequestEvent(record) : toViewerResponseEvent(record);
}
