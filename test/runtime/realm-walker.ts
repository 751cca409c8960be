/**
 * Host-side walk of everything reachable from values of a sandbox realm
 * (isolation tests, issue 12). Uses only the host's Reflect / Object on the
 * values (no user code runs except getters, which are called on purpose:
 * their results are reachable too). Reports, with the path that reached it:
 *  - an object or function whose prototype chain reaches the HOST's
 *    Object.prototype or Function.prototype (a host object inside the sandbox);
 *  - a function whose constructor (the intrinsic one, from its prototype, and
 *    its `constructor` property) can compile code from a string: calling and
 *    constructing it with a string must throw an EvalError.
 */

export interface WalkResult {
  /** Objects and functions visited. */
  visited: number;
  /** Distinct function constructors tried with a string. */
  constructorsTried: number;
  problems: string[];
}

const HOST_OBJECT_PROTO = Object.prototype;
const HOST_FUNCTION_PROTO = Function.prototype;

function isRef(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

function keyText(k: string | symbol): string {
  return typeof k === 'symbol' ? `[${String(k)}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** Name of a thrown value for a message (without running anything of it but its name). */
function errorName(e: unknown): string {
  if (!isRef(e)) return typeof e;
  try {
    const n = Reflect.get(e, 'name');
    return typeof n === 'string' ? n : 'object';
  } catch {
    return 'object';
  }
}

/** Whether calling and constructing `ctor` with a source string both throw EvalError (no code generated). */
function compilesStrings(ctor: (...a: unknown[]) => unknown): string | null {
  const src = 'return 1';
  const attempts: [string, () => unknown][] = [
    ['call', () => Reflect.apply(ctor, undefined, [src])],
    ['construct', () => Reflect.construct(ctor, [src])],
  ];
  for (const [how, run] of attempts) {
    let threw = false;
    let name = '';
    let got: unknown;
    try {
      got = run();
    } catch (e) {
      threw = true;
      name = errorName(e);
    }
    if (!threw) return `${how} with a string returned ${typeof got} (code was generated)`;
    if (name !== 'EvalError') return `${how} with a string threw ${name}, not EvalError`;
  }
  return null;
}

export interface WalkOptions {
  maxObjects?: number;
  /**
   * The realm's own Object.getOwnPropertyDescriptor. V8 keeps a few built-in
   * data properties as native accessors that answer with the CALLER's realm
   * (an arguments object's Symbol.iterator is the Array.prototype.values of
   * whoever reads it): read host-side they would show host functions that
   * code in the sandbox never sees. Reading through a realm function gives
   * what the sandbox's code gets.
   */
  describe?: (o: object, k: string | symbol) => PropertyDescriptor | undefined;
}

/** The realm's Object.getOwnPropertyDescriptor, found from one of its plain objects, as a WalkOptions.describe. */
export function realmDescriber(realmObject: object): (o: object, k: string | symbol) => PropertyDescriptor | undefined {
  const proto = Reflect.getPrototypeOf(realmObject) as object;
  const ctor = Reflect.get(proto, 'constructor') as object; // an accessor in the frozen realm (override mistake)
  const gopd = Reflect.getOwnPropertyDescriptor(ctor, 'getOwnPropertyDescriptor')!.value as (o: object, k: string | symbol) => PropertyDescriptor | undefined;
  if (Reflect.getPrototypeOf(gopd) === Function.prototype) throw new Error('realmDescriber: given a host object');
  return (o, k) => Reflect.apply(gopd, undefined, [o, k]) as PropertyDescriptor | undefined;
}

export function walkRealm(roots: [string, unknown][], opts: WalkOptions = {}): WalkResult {
  const max = opts.maxObjects ?? 200_000;
  const describe = opts.describe ?? ((o: object, k: string | symbol) => Reflect.getOwnPropertyDescriptor(o, k));
  const seen = new Set<object>();
  const ctorChecked = new Map<unknown, string | null>();
  const problems: string[] = [];
  const stack: [string, unknown][] = [...roots].reverse();
  let visited = 0;

  const checkCtor = (path: string, ctor: unknown): void => {
    if (typeof ctor !== 'function') return;
    let verdict = ctorChecked.get(ctor);
    if (verdict === undefined) {
      verdict = compilesStrings(ctor as (...a: unknown[]) => unknown);
      ctorChecked.set(ctor, verdict);
    }
    if (verdict !== null) problems.push(`${path}: ${verdict}`);
  };

  while (stack.length > 0) {
    const [path, v] = stack.pop()!;
    if (!isRef(v) || seen.has(v)) continue;
    seen.add(v);
    if (++visited > max) {
      problems.push(`walk stopped after ${max} objects (at ${path})`);
      break;
    }
    // Host intrinsics anywhere in the prototype chain (or the value itself). A host
    // object is reported once: the walk does not go on into the host realm.
    let host = false;
    for (let p: unknown = v, depth = 0; p !== null && depth < 64 && !host; depth++) {
      const which = p === HOST_OBJECT_PROTO ? 'Object' : p === HOST_FUNCTION_PROTO ? 'Function' : null;
      if (which !== null) {
        problems.push(`${path}: prototype chain reaches the host's ${which}.prototype${depth === 0 ? ` (it is the host ${which}.prototype)` : ` (depth ${depth})`}`);
        host = true;
      } else p = Reflect.getPrototypeOf(p as object);
    }
    if (host) {
      if (typeof v === 'function') checkCtor(`${path}.constructor`, Reflect.get(v, 'constructor'));
      continue;
    }
    if (typeof v === 'function') {
      const proto = Reflect.getPrototypeOf(v);
      // The constructor of the function's prototype (Function, AsyncFunction, ...); not for
      // Function.prototype itself, whose prototype is Object.prototype (constructor: Object).
      if (isRef(proto) && Reflect.getPrototypeOf(proto) !== null) {
        const intrinsic = describe(proto, 'constructor');
        if (intrinsic && 'value' in intrinsic) checkCtor(`${path}.[[Prototype]].constructor`, intrinsic.value);
      }
      let own: unknown;
      try {
        own = Reflect.get(v, 'constructor');
      } catch (e) {
        stack.push([`${path}.constructor(threw)`, e]);
      }
      checkCtor(`${path}.constructor`, own);
    }
    stack.push([`${path}.[[Prototype]]`, Reflect.getPrototypeOf(v)]);
    for (const k of Reflect.ownKeys(v)) {
      const d = describe(v, k);
      if (!d) continue;
      const p = path + keyText(k);
      if ('value' in d) {
        stack.push([p, d.value]);
        continue;
      }
      stack.push([`${p}(setter)`, d.set]);
      stack.push([`${p}(getter)`, d.get]);
      if (typeof d.get === 'function') {
        try {
          stack.push([`${p}(get)`, Reflect.apply(d.get, v, [])]);
        } catch (e) {
          stack.push([`${p}(get threw)`, e]);
        }
      }
    }
  }
  return { visited, constructorsTried: ctorChecked.size, problems };
}
