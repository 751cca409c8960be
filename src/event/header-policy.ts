/**
 * Header rules shared by the recorders (which must drop what CloudFront never
 * exposes to a function) and the runtime validator (which must reject a
 * function that adds or changes them). Source: cloudfront-functions.md §2,
 * AWS "edge-function-restrictions-all".
 */

const DISALLOWED_EXACT = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'trailer',
  'upgrade',
  'x-accel-buffering',
  'x-accel-charset',
  'x-accel-limit-rate',
  'x-accel-redirect',
  'x-amzn-auth',
  'x-amzn-cf-billing',
  'x-amzn-cf-id',
  'x-amzn-cf-xff',
  'x-amzn-errortype',
  'x-amzn-fle-profile',
  'x-amzn-header-count',
  'x-amzn-header-order',
  'x-amzn-lambda-integration-tag',
  'x-amzn-requestid',
  'x-cache',
  'x-forwarded-proto',
  'x-real-ip',
]);

const DISALLOWED_PREFIXES = ['x-amz-cf-', 'x-edge-'];

/** True for a (lowercase) header name CloudFront never exposes and never lets a function set. */
export function isDisallowedHeader(lowerName: string): boolean {
  if (DISALLOWED_EXACT.has(lowerName)) return true;
  for (const prefix of DISALLOWED_PREFIXES) {
    if (lowerName.startsWith(prefix)) return true;
  }
  return false;
}

/** Headers a viewer-request function may read but not add, change or remove. */
export const READ_ONLY_REQUEST_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'transfer-encoding',
  'via',
  'cdn-loop',
];

/** Headers a viewer-response function may read but not add, change or remove. */
export const READ_ONLY_RESPONSE_HEADERS: readonly string[] = ['via', 'warning'];

/**
 * Hop-by-hop and transport-level headers a recorder drops even though the
 * validator does not list them: they describe the capture's connection, not
 * the request CloudFront's function sees. (HTTP/2 pseudo-headers are handled
 * separately: `:authority` becomes `host`, the rest are dropped.)
 */
const TRANSPORT_ONLY = new Set(['te', 'http2-settings']);

/** Should a recorder leave this captured header out of the event? */
export function isDroppedWhenRecording(lowerName: string): boolean {
  return isDisallowedHeader(lowerName) || TRANSPORT_ONLY.has(lowerName);
}

/**
 * Wire form CloudFront uses for a header name a function set: each
 * hyphen-separated word capitalised (`x-webp` -> `X-Webp`).
 */
export function wireHeaderName(lowerName: string): string {
  let out = '';
  let upperNext = true;
  for (let i = 0; i < lowerName.length; i++) {
    const ch = lowerName[i]!;
    out += upperNext ? ch.toUpperCase() : ch;
    upperNext = ch === '-';
  }
  return out;
}
