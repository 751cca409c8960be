// Preparing a function: transforms, runtime detection that says why, KeyValueStore use noticed.
import { describe, expect, it } from 'vitest';
import { checkDefinesUsed, checkKvsGiven, describeRuntime, MissingKvsError, prepareFunction } from '../../src/runtime/prepare.js';
import { kvsUseLine } from '../../src/runtime/kvs-usage.js';
import { fixture } from './helpers.js';

describe('runtime detection says it detected', () => {
  it('1.0 when there is no 2.0 syntax, 2.0 with the first reason found', () => {
    expect(describeRuntime(prepareFunction('a.js', fixture('spa-rewrite.js'), undefined, undefined))).toBe('cloudfront-js-1.0 (detected: no 2.0 syntax)');
    expect(describeRuntime(prepareFunction('b.js', fixture('jwt-kvs.js'), undefined, undefined))).toMatch(/^cloudfront-js-2\.0 \(detected: (import|const|async function|await) at line \d+\)$/);
    expect(describeRuntime(prepareFunction('c.js', fixture('spa-rewrite.js'), 'cloudfront-js-2.0', undefined))).toBe('cloudfront-js-2.0 (--runtime)');
  });
  it('detects on the transformed code (an export stripped, a placeholder defined)', () => {
    const p = prepareFunction('d.js', 'export function handler(e) { return e.request; }\n', undefined, { stripExport: true });
    expect(p.runtimeNote).toBe('detected: no 2.0 syntax');
    expect(p.transforms).toEqual(['strip-export (1 statement, line 1)']);
  });
});

describe('KeyValueStore use', () => {
  it('finds cf.kvs through the import name, not a lookalike', () => {
    expect(kvsUseLine(fixture('jwt-kvs.js'))).toBe(5);
    expect(kvsUseLine("import store from 'cloudfront';\nfunction handler(e) {\n  return store['kvs']().get('k');\n}")).toBe(3);
    expect(kvsUseLine("import cf from 'cloudfront';\nfunction handler(e) { cf.updateRequestOrigin({}); return e.request; }")).toBeUndefined();
    expect(kvsUseLine('var kvs = {}; function handler(e) { return kvs.get; }')).toBeUndefined();
  });
  it('without --kvs or --kvs-empty a function that uses a store is refused, naming the options', () => {
    const p = prepareFunction('fn/jwt.js', fixture('jwt-kvs.js'), undefined, undefined);
    expect(() => checkKvsGiven([p], { kvs: false, kvsEmpty: false })).toThrow(MissingKvsError);
    expect(() => checkKvsGiven([p], { kvs: false, kvsEmpty: false })).toThrow(/^fn\/jwt\.js:5: the function uses a KeyValueStore .*--kvs <snapshot\.json>.*--kvs-empty/);
    expect(() => checkKvsGiven([p], { kvs: false, kvsEmpty: true })).not.toThrow();
    expect(() => checkKvsGiven([p], { kvs: true, kvsEmpty: false })).not.toThrow();
  });
  it('a --define that occurs nowhere is an error', () => {
    const t = { defines: [{ name: 'KVS_ID', value: 'x' }] };
    const a = prepareFunction('a.js', fixture('spa-rewrite.js'), undefined, t);
    const b = prepareFunction('b.js', "// KVS_ID\n" + fixture('spa-rewrite.js'), undefined, t);
    expect(() => checkDefinesUsed([a], t)).toThrow(/--define KVS_ID: "KVS_ID" does not occur in a\.js/);
    expect(() => checkDefinesUsed([a, b], t)).not.toThrow();
  });
});
