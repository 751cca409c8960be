// Partial events completed with the documented defaults, saying what was filled in.
import { describe, expect, it } from 'vitest';
import { completeEvent, notAnEvent, summarizeFilled } from '../../src/event/complete.js';
import { DEFAULT_BUILD_OPTIONS, DEFAULT_VIEWER_IP } from '../../src/event/build.js';
import { normalizeCloudFrontEvent, validateCloudFrontEvent } from '../../src/runtime/validate-event.js';

const VR = { eventType: 'viewer-request' as const, eventTypeFrom: 'test' };

describe('completeEvent', () => {
  it('fills a bare request into a valid event and lists what it filled', () => {
    const input = { request: { uri: '/a' } };
    const { event, filled } = completeEvent(input, VR);
    expect(validateCloudFrontEvent(event)).toEqual([]);
    expect(event).toMatchObject({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: DEFAULT_VIEWER_IP }, request: { method: 'GET', uri: '/a', querystring: {}, headers: {}, cookies: {} } });
    expect(filled.map((f) => f.path)).toEqual(['version', 'context.eventType', 'viewer.ip', 'request.method']);
    expect(input).toEqual({ request: { uri: '/a' } }); // not modified
  });
  it('never changes a field that is there', () => {
    const input = { version: '1.0', context: { eventType: 'viewer-response', requestId: 'r1' }, viewer: { ip: '192.0.2.9' }, request: { method: 'POST', uri: '/x' }, response: { statusCode: 404 } };
    const { event, filled } = completeEvent(input, VR);
    expect(event).toMatchObject({ context: { eventType: 'viewer-response', requestId: 'r1' }, viewer: { ip: '192.0.2.9' }, request: { method: 'POST' }, response: { statusCode: 404, headers: {}, cookies: {} } });
    expect(filled).toEqual([]);
  });
  it('a viewer-response event gets a request and a 200 response', () => {
    const { event, filled } = completeEvent({ response: { headers: { 'content-type': { value: 'text/html' } } } }, { eventType: 'viewer-response', eventTypeFrom: 'the function reads event.response' });
    expect(validateCloudFrontEvent(event)).toEqual([]);
    expect(filled.find((f) => f.path === 'context.eventType')?.value).toBe('viewer-response (the function reads event.response)');
    expect(filled.find((f) => f.path === 'response.statusCode')?.value).toBe('200');
  });
  it('the same event gets the same request id', () => {
    const a = completeEvent({ request: { uri: '/a' } }, VR).event as { context: { requestId: string } };
    const b = completeEvent({ request: { uri: '/a' } }, VR).event as { context: { requestId: string } };
    const c = completeEvent({ request: { uri: '/b' } }, VR).event as { context: { requestId: string } };
    expect(a.context.requestId).toBe(b.context.requestId);
    expect(a.context.requestId).not.toBe(c.context.requestId);
  });
  it('refuses what is not a partial event', () => {
    expect(notAnEvent({ data: [] })).toMatch(/request is missing/);
    expect(notAnEvent([1])).toMatch(/JSON object/);
    expect(notAnEvent({ request: { uri: '/' } })).toBeUndefined();
  });
  it('summarizes the defaults used over many events', () => {
    const all = [completeEvent({ request: { uri: '/a' } }, VR).filled, completeEvent({ request: { uri: '/b', method: 'GET' }, viewer: { ip: '1.2.3.4' } }, VR).filled];
    expect(summarizeFilled(all)).toBe('context.eventType=viewer-request (test) (2), version=1.0 (2), request.method=GET (1), viewer.ip=203.0.113.10 (1)');
  });
});

describe('one default viewer address for every command', () => {
  it('record and run fill in the same address', () => {
    expect(DEFAULT_BUILD_OPTIONS.defaultViewerIp).toBe(DEFAULT_VIEWER_IP);
    const ev = normalizeCloudFrontEvent({ request: {} }) as { viewer: { ip: string } };
    expect(ev.viewer.ip).toBe(DEFAULT_VIEWER_IP);
  });
});
