import { describe, expect, it } from 'vitest';
import { groupDigits } from '../../src/util/group-digits.js';

describe('groupDigits', () => {
  it("is toLocaleString('en-US') for whole numbers of every length, both signs, and the cases it leaves to it", () => {
    const values = [0, -0, 1, -1, 7, 12, 999, 1000, -1000, 1234, 99_999, 100_000, 123_456, 1_000_000, -1_234_567, 2 ** 31, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let v = 1; v < 1e16; v *= 10) values.push(v, v - 1, v + 1, -v, -(v - 1));
    values.push(2 ** 53, 1e21, 1.5, -2.25, NaN, Infinity, -Infinity);
    for (const v of values) expect(groupDigits(v), String(v)).toBe(v.toLocaleString('en-US'));
  });
});
