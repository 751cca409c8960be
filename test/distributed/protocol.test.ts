/**
 * A chunk result crosses Redis as msgpack. Traffic's names survive the trip as own
 * properties: msgpackr's own object decoding renames `__proto__` to `__proto_`, which
 * made the merged report of a distributed replay differ from the local one.
 */
import { describe, expect, it } from 'vitest';
import { doneFields, parseDone } from '../../src/distributed/protocol.js';
import type { ChunkResult } from '../../src/replay/chunk-result.js';

describe('distributed result transport', () => {
  it('keeps keys named __proto__, constructor, toString as own properties and never touches Object.prototype', () => {
    const querystring = JSON.parse('{"__proto__":{"value":"polluted"},"constructor":{"value":"c"},"toString":{"value":"t"},"a":{"value":"1"}}') as Record<string, unknown>;
    const sample = { event: { request: { uri: '/x', querystring, headers: JSON.parse('{"__proto__":{"value":"h"}}') } }, list: [JSON.parse('{"__proto__":1}')] };
    const result = { chunk: 3, samples: [sample], bytes: new Uint8Array([1, 2, 3]), counts: new Map([['forward', 2]]) } as unknown as ChunkResult;
    const fields = doneFields({ kind: 'result', chunk: 3, worker: 'w1', result });
    const back = parseDone(fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
    expect(back?.kind).toBe('result');
    const got = (back as { result: { samples: (typeof sample)[]; bytes: Uint8Array; counts: unknown } }).result;
    const q = got.samples[0]!.event.request.querystring;
    expect(Object.keys(q)).toEqual(['__proto__', 'constructor', 'toString', 'a']);
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toEqual({ value: 'polluted' });
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
    expect(Object.keys(got.samples[0]!.event.request.headers)).toEqual(['__proto__']);
    expect(Object.keys(got.samples[0]!.list[0] as object)).toEqual(['__proto__']);
    expect([...got.bytes]).toEqual([1, 2, 3]);
    expect(got.counts).toEqual({ forward: 2 });
    expect(({} as Record<string, unknown>).value).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'value')).toBe(false);
  });
});
