import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { jsonLike } from '../../src/runtime/json-like.js';

describe('jsonLike: a result as its JSON would be, with no code of the function run', () => {
  it('leaves out undefined, functions and symbols; null in arrays; non-finite numbers null', () => {
    const v = { a: undefined, f() {}, s: Symbol('x'), n: NaN, i: -Infinity, k: 1, arr: [undefined, () => 1, 2, NaN], nested: { x: undefined, y: 'y' } };
    expect(jsonLike(v)).toEqual(JSON.parse(JSON.stringify(v)));
  });

  it('own enumerable data properties only: an accessor is left out and its getter never runs', () => {
    let ran = 0;
    const v = Object.create({ inherited: 1 }, {
      own: { value: 'o', enumerable: true },
      hidden: { value: 'h', enumerable: false },
      got: { get: () => { ran++; return 'g'; }, enumerable: true },
    }) as object;
    // Not a plain object (another prototype): kept as it is, nothing read.
    expect(jsonLike(v)).toBe(v);
    const plain = Object.defineProperties({}, { own: { value: 'o', enumerable: true }, hidden: { value: 'h', enumerable: false }, got: { get: () => { ran++; return 'g'; }, enumerable: true } });
    expect(jsonLike(plain)).toEqual({ own: 'o' });
    expect(ran).toBe(0);
  });

  it('objects of another realm are plain too; a Date or a boxed primitive is its JSON unless it has a property of its own', () => {
    const plain = 'm: { a: { value: "1" }, b: undefined }, d: new Date(0), bad: new Date(NaN), s: new String("s"), n: new Number(-0), b: new Boolean(false), z: -0';
    const own = 'dt: Object.assign(new Date(0), { toJSON: function () { throw new Error("ran"); } }), st: Object.assign(new String("s"), { extra: 1 })';
    const realm = vm.runInNewContext(`({ ${plain}, ${own} })`) as Record<string, unknown>;
    const out = jsonLike(realm) as Record<string, unknown>;
    const json = JSON.parse(JSON.stringify(vm.runInNewContext(`({ ${plain} })`))) as Record<string, unknown>;
    for (const k of ['m', 'd', 'bad', 's', 'n', 'b', 'z']) expect(out[k]).toEqual(json[k]);
    expect(Object.is(out.z, 0)).toBe(true);
    // Own properties (a toJSON the function set): kept as they are, no code run.
    expect(out.dt).toBe(realm.dt);
    expect(out.st).toBe(realm.st);
  });

  it('a cycle ends at the depth limit instead of recursing forever', () => {
    const v: Record<string, unknown> = { value: 'x' };
    v.self = v;
    let depth = 0;
    for (let cur = jsonLike(v) as Record<string, unknown> | undefined; cur !== undefined && cur !== v; cur = cur.self as Record<string, unknown> | undefined) depth++;
    expect(depth).toBeGreaterThan(10);
    expect(depth).toBeLessThan(64);
  });
});
