/**
 * The CloudFront Functions event object, exactly as a function receives it
 * (reference: cloudfront-functions.md §1, AWS "functions-event-structure").
 *
 * These types describe the *input* side. What a function returns is looser
 * (it may return a string querystring, omit fields, add bodies) and is typed in
 * src/runtime as `unknown` until validated.
 */

export type EventType = 'viewer-request' | 'viewer-response';

/** One value of a header, query parameter or request cookie. */
export interface ValueEntry {
  value: string;
}

/**
 * A name that appeared once is `{ value }`. A name that repeated is
 * `{ value: first, multiValue: [{ value: first }, { value: second }, ...] }`:
 * the first value is present in both places (CloudFront's own convention).
 */
export interface MultiValueEntry extends ValueEntry {
  multiValue?: ValueEntry[];
}

/** Response cookies carry their Set-Cookie attributes as one string. */
export interface SetCookieValue {
  value: string;
  /** e.g. "Secure; Path=/; Domain=example.com; Expires=..." ("" when none). */
  attributes: string;
}

export interface SetCookieEntry extends SetCookieValue {
  multiValue?: SetCookieValue[];
}

export type HeaderMap = Record<string, MultiValueEntry>;
export type QueryStringMap = Record<string, MultiValueEntry>;
export type CookieMap = Record<string, MultiValueEntry>;
export type SetCookieMap = Record<string, SetCookieEntry>;

export interface CfRequest {
  method: string;
  /** Raw path as sent, without the query string. */
  uri: string;
  /** Always present: `{}` when the URL had no query string. Values are not percent-decoded. */
  querystring: QueryStringMap;
  headers: HeaderMap;
  cookies: CookieMap;
}

export interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers: HeaderMap;
  cookies: SetCookieMap;
}

export interface CfContext {
  distributionDomainName: string;
  distributionId: string;
  eventType: EventType;
  requestId: string;
  endpoint?: string;
}

export interface CfViewer {
  ip: string;
}

/** What a viewer-request function receives. */
export interface ViewerRequestEvent {
  version: '1.0';
  context: CfContext;
  viewer: CfViewer;
  request: CfRequest;
}

/** What a viewer-response function receives: the request too, never a body. */
export interface ViewerResponseEvent extends ViewerRequestEvent {
  response: CfResponse;
}

export type CloudFrontEvent = ViewerRequestEvent | ViewerResponseEvent;

/** Where a recorded event came from, so a diff can point back at the capture. */
export interface EventSource {
  /** Capture file (basename or path as given), or a logical source like "proxy". */
  file: string;
  /** Index of the entry/record/line inside that file (0-based). */
  entry: number;
  /** The test case's name, for events recorded from named test cases. */
  name?: string;
}

/**
 * What the corpus stores for one captured exchange. One record can produce a
 * viewer-request event and, when the capture has a response that CloudFront
 * would run a viewer-response function on, a viewer-response event: the same
 * recording replays against both kinds of function without recording again.
 */
export interface RecordedExchange {
  /** Stable id (same input gives the same id); also the context.requestId. */
  id: string;
  /** Capture time in epoch milliseconds: the frozen clock for replay. */
  time: number;
  source: EventSource;
  distributionDomainName: string;
  distributionId: string;
  viewerIp: string;
  request: CfRequest;
  /**
   * The query exactly as sent, without '?': what `request.rawQueryString()`
   * returns. Absent when the URL had no '?' at all ("" for a bare '?').
   */
  rawQuery?: string;
  /** Present when the capture had a response. */
  response?: CfResponse;
}
