import { describe, expect, it } from 'vitest';
import { parseCookieHeader, parseRawQuery } from '../../src/event/build.js';

describe('parsing names that are Object.prototype members', () => {
  it('query parameters named __proto__, constructor, toString, hasOwnProperty are own entries and pollute nothing', () => {
    const q = parseRawQuery('__proto__=a&constructor=b&toString=c&hasOwnProperty=d&__proto__=e&constructor=f');
    expect(Object.keys(q)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toEqual({ value: 'a', multiValue: [{ value: 'a' }, { value: 'e' }] });
    expect(q.constructor).toEqual({ value: 'b', multiValue: [{ value: 'b' }, { value: 'f' }] });
    expect(q.toString).toEqual({ value: 'c' });
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
    expect('multiValue' in Object.prototype).toBe(false);
    expect('multiValue' in Object).toBe(false);
    expect('multiValue' in Object.prototype.toString).toBe(false);
  });
  it('cookies too', () => {
    const c = parseCookieHeader(['__proto__=x; toString=y; __proto__=z']);
    expect(Object.getOwnPropertyDescriptor(c, '__proto__')?.value).toEqual({ value: 'x', multiValue: [{ value: 'x' }, { value: 'z' }] });
    expect(c.toString).toEqual({ value: 'y' });
    expect('multiValue' in Object.prototype).toBe(false);
  });
});
