/**
 * The njs engines compiled to WebAssembly (engine/dist, built by
 * engine/build.sh): one compiled WebAssembly.Module per runtime and thread,
 * one instance per loaded function (an instance holds one parent VM).
 *
 * Instantiation is synchronous (the module is built with
 * WASM_ASYNC_COMPILATION=0 and handed its bytes): loading a function needs
 * no await, like the V8 engine's loadFunction.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../types.js';
import { PACKAGE_ROOT } from '../../util/worker-scripts.js';

/** engine/dist of the package. */
export const ENGINE_DIST = fileURLToPath(new URL('engine/dist/', PACKAGE_ROOT));

/** The emscripten module object (only what cfreplay uses). */
interface NjswModule {
  HEAPU8: Uint8Array;
  _njsw_load(src: number, len: number): number;
  _njsw_run(input: number, evLen: number, evAscii: number, tLen: number, qLen: number, conn: number, now: number, lo: number, hi: number): number;
  _njsw_out(): number;
  _njsw_out_len(): number;
  _njsw_set_limits(steps: number, mem: number): void;
  _njsw_steps(): number;
  _njsw_last_fast(): number;
  _njsw_mem_used(): number;
  _njsw_mem_peak(): number;
  _njsw_version(): number;
  _njsw_stack_probe(depth: number): number;
  _malloc(n: number): number;
  _free(p: number): void;
  UTF8ToString(p: number): string;
}

interface ModuleArg {
  wasmBinary?: Uint8Array;
  instantiateWasm?: (imports: unknown, done: (instance: WasmInstance, module: WasmModule) => void) => Record<string, unknown>;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}

type Factory = (arg: ModuleArg) => unknown;

/* The WebAssembly API (this project's TS lib settings do not declare it). */
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: unknown) => WasmInstance;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const require = createRequire(import.meta.url);
const compiled = new Map<Runtime, { module: WasmModule; factory: Factory }>();

function engineFiles(runtime: Runtime): { module: WasmModule; factory: Factory } {
  let c = compiled.get(runtime);
  if (!c) {
    const dir = ENGINE_DIST + runtime + '/';
    const module = new Wasm.Module(readFileSync(dir + 'njsw.wasm'));
    const factory = require(dir + 'njsw.cjs') as Factory;
    c = { module, factory };
    compiled.set(runtime, c);
  }
  return c;
}

/** Thrown when the instance itself failed (C stack overflow abort, wasm trap): it must be replaced. */
export class EngineCrash extends Error {}

export interface EngineRun {
  /** 0: `out` is the prelude's JSON envelope; 2: `out` is a bare error text. */
  rc: number;
  out: string;
  steps: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One wasm instance: compile a function once, run events in fresh VM clones. */
export class NjsInstance {
  private readonly m: NjswModule;
  private inPtr = 0;
  private inCap = 0;
  readonly version: string;

  constructor(runtime: Runtime) {
    const { module, factory } = engineFiles(runtime);
    const arg: ModuleArg & Partial<NjswModule> = {
      instantiateWasm(imports, done) {
        const instance = new Wasm.Instance(module, imports);
        done(instance, module);
        return instance.exports;
      },
      // The engine prints nothing itself; a stray line must not reach the terminal.
      print: () => undefined,
      printErr: () => undefined,
    };
    factory(arg);
    if (typeof arg._njsw_run !== 'function') throw new Error(`njs engine for ${runtime} did not initialize synchronously`);
    this.m = arg as NjswModule;
    this.version = this.m.UTF8ToString(this.m._njsw_version());
  }

  /** Bytes of wasm memory (never shrinks). */
  get memoryBytes(): number {
    return this.m.HEAPU8.length;
  }

  /** Bytes njs allocated and still holds (parent VM and caches). */
  get njsBytes(): number {
    return this.m._njsw_mem_used();
  }

  /** Whether the last run's envelope was written by the shim's JSON fast path (test hook). */
  get lastFast(): boolean {
    return this.m._njsw_last_fast() === 1;
  }

  setLimits(steps: number, memBytes: number): void {
    this.m._njsw_set_limits(steps, memBytes);
  }

  /** An input buffer in wasm memory of at least `bytes` bytes. */
  private reserve(bytes: number): void {
    if (bytes + 1 > this.inCap) {
      if (this.inPtr) this.m._free(this.inPtr);
      this.inCap = Math.max(bytes + 1, this.inCap * 2, 4096);
      this.inPtr = this.m._malloc(this.inCap);
      if (!this.inPtr) {
        this.inCap = 0;
        throw new EngineCrash('njs engine: out of wasm memory for the input');
      }
    }
  }

  /**
   * Writes `s` as UTF-8 at `offset` of the input buffer, which the caller
   * reserved (3 bytes per UTF-16 unit: the most UTF-8 takes); returns its byte length.
   */
  private putAt(offset: number, s: string): number {
    // HEAPU8 may be replaced when the wasm memory grows: read it fresh.
    return encoder.encodeInto(s, this.m.HEAPU8.subarray(this.inPtr + offset, this.inPtr + this.inCap)).written;
  }

  private put(s: string): number {
    this.reserve(s.length * 3);
    return this.putAt(0, s);
  }

  private out(): string {
    const p = this.m._njsw_out();
    const n = this.m._njsw_out_len();
    return decoder.decode(this.m.HEAPU8.subarray(p, p + n));
  }

  /** Compile the source into the parent VM; returns an error text, or null. */
  load(source: string): string | null {
    const n = this.put(source);
    const rc = this.guard(() => this.m._njsw_load(this.inPtr, n));
    return rc === 0 ? null : this.out();
  }

  /**
   * One event in a fresh clone: `eventJson` (undefined: the event is
   * undefined) is parsed by njs's JSON.parse inside the clone, then handed to
   * the prelude with its type, whether it is a connection event, and the raw
   * query string (undefined: none).
   */
  run(eventJson: string | undefined, eventType: string, connection: boolean, rawQuery: string | undefined, now: number, seedLo: number, seedHi: number): EngineRun {
    // One reservation for the three texts (a later one could move the buffer).
    this.reserve(((eventJson?.length ?? 0) + eventType.length + (rawQuery?.length ?? 0)) * 3);
    const evLen = eventJson === undefined ? 0 : this.putAt(0, eventJson);
    const tLen = this.putAt(evLen, eventType);
    const qLen = rawQuery === undefined ? -1 : this.putAt(evLen + tLen, rawQuery);
    // The seed words may arrive as signed int32: the C side takes them as uint32.
    // As many bytes as UTF-16 units: ASCII only (njs then need not count its characters).
    const ascii = eventJson !== undefined && evLen === eventJson.length ? 1 : 0;
    const rc = this.guard(() =>
      this.m._njsw_run(this.inPtr, eventJson === undefined ? -1 : evLen, ascii, tLen, qLen, connection ? 1 : 0, now, seedLo >>> 0, seedHi >>> 0),
    );
    return { rc, out: this.out(), steps: this.m._njsw_steps() };
  }

  /** Test hook: recurse `depth` C frames of about 20 bytes (past the 4 MB C stack the instance aborts: EngineCrash). */
  stackProbe(depth: number): number {
    return this.guard(() => this.m._njsw_stack_probe(depth));
  }

  private guard(f: () => number): number {
    try {
      return f();
    } catch (e) {
      // An emscripten abort (C stack overflow check) or a wasm trap: this instance is done for.
      throw new EngineCrash(e instanceof Error ? e.message : String(e));
    }
  }
}
