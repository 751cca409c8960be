/**
 * The normalized HTTP exchange every recorder produces (HAR, proxy, GoReplay,
 * access logs, event files). The event builder turns it into what CloudFront
 * would hand a function, so all sources share one set of rules.
 */

import type { EventSource } from './types.js';

/** One header line as captured: original case and order, duplicates kept. */
export interface HttpHeader {
  name: string;
  value: string;
}

export interface CapturedResponse {
  status: number;
  statusText?: string;
  headers: HttpHeader[];
}

export interface NormalizedExchange {
  /** Capture time, epoch milliseconds. */
  time: number;
  method: string;
  /**
   * The URL as sent: absolute (`https://host/path?q`) or origin-form
   * (`/path?q`). Path and query are taken from it raw, never decoded.
   */
  url: string;
  headers: HttpHeader[];
  /** Client address when the capture knows it. */
  viewerIp?: string;
  response?: CapturedResponse;
  source: EventSource;
}
