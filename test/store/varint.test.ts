import { describe, expect, it } from 'vitest';
import { VarintReader, VarintWriter } from '../../src/store/varint.js';

describe('varint columns', () => {
  it('round-trip signed integers (zigzag) across the whole safe range', () => {
    const values = [0, 1, -1, 2, -2, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, -(2 ** 40) + 3, 2 ** 51, -(2 ** 51) - 7];
    const w = new VarintWriter(4);
    for (const v of values) w.int(v);
    const r = new VarintReader(w.finish());
    expect(values.map(() => r.int())).toEqual(values);
  });

  it('round-trip signed integers on both sides of the 32-bit fast path (zigzag 2^30 - 1)', () => {
    // zigzag 2^30 - 1 is the largest value int() reads with 32-bit operations; one more goes out of line.
    const values = [2 ** 29 - 1, -(2 ** 29), 2 ** 29, -(2 ** 29) - 1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, 1.7e12, -0.5e12];
    const w = new VarintWriter(4);
    for (const v of values) w.int(v);
    const r = new VarintReader(w.finish());
    const read = values.map(() => r.int());
    expect(read).toEqual(values);
    expect(read.some((v) => Object.is(v, -0))).toBe(false);
  });

  it('round-trip unsigned integers up to 2^53 - 1', () => {
    const values = [0, 127, 128, 16383, 16384, 2 ** 32, 2 ** 52 + 1, 2 ** 53 - 1];
    const w = new VarintWriter(2);
    for (const v of values) w.uint(v);
    const r = new VarintReader(w.finish());
    expect(values.map(() => r.uint())).toEqual(values);
  });

  it('refuse a column that ends inside a varint', () => {
    const r = new VarintReader(Uint8Array.from([0x80, 0x80]));
    expect(() => r.uint()).toThrow('varint column ends early');
  });
});
