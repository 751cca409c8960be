/**
 * Stack traces inside the sandbox (found by a red-team pass in session 6):
 * - `err.stack` read by a function listed the frames under it, the prelude's
 *   and the host's, with the host's install paths (file:///.../dist/runtime/
 *   loader.js, node:internal/...): it now lists only the function's own frames.
 * - The realm's CallSite prototype (reached through the V8 stack trace API) was
 *   not among the built-ins the realm freezes or restores: a property a
 *   function put on it in one event was seen by the next event.
 */
import { describe, expect, it } from 'vitest';
import { loadFunction, type Runtime } from '../../src/runtime/index.js';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';
import { vrEvent } from './helpers.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const tmp = useTempDir();

const header = (r: unknown, name: string): string | undefined =>
  (r as { raw?: { headers?: Record<string, { value: string }> } }).raw?.headers?.[name]?.value;

/** Host frames as they showed before: file URLs of cfreplay's own modules, Node's internals, the prelude. */
const HOST_FRAME = /file:|node:|cfreplay:|dist\/runtime|loader\.js/;

const STACKS = `function inner() { return new Error('made').stack; }
function handler(event) {
  var made = inner(), thrown = '';
  try { null.x; } catch (e) { thrown = e.stack; }
  event.request.headers['x-made'] = { value: made };
  event.request.headers['x-thrown'] = { value: thrown };
  return event.request;
}`;

describe.each(RUNTIMES)('%s: err.stack inside the function', (runtime) => {
  it('lists the function\'s own frames (file:line:col) and nothing of the host', async () => {
    const f = loadFunction(STACKS, { runtime, filename: 'fn.js' });
    const r = await f.invokeAsync(vrEvent(), { timeoutMs: 2000 });
    expect(r.outcome.kind).toBe('forward');
    const made = header(r, 'x-made')!;
    const thrown = header(r, 'x-thrown')!;
    expect(made).toBe('Error: made\n    at inner (fn.js:1:27)\n    at handler (fn.js:3:14)');
    expect(thrown.split('\n')[0]).toMatch(/^TypeError: /);
    expect(thrown.split('\n').slice(1)).toEqual(['    at handler (fn.js:4:14)']);
    expect(made + thrown).not.toMatch(HOST_FRAME);
  });

  it('a thrown error still reports its line, column and the function\'s frames', async () => {
    const f = loadFunction('function handler(event) {\n  return event.request.nope.x;\n}', { runtime, filename: 'fn.js' });
    const r = await f.invokeAsync(vrEvent(), { timeoutMs: 2000 });
    expect(r.outcome.kind).toBe('execution-error');
    const err = (r.outcome as { error: { line?: number; column?: number; stack?: string } }).error;
    expect([err.line, err.column]).toEqual([2, 29]);
    expect(err.stack).toContain('at handler (fn.js:2:29)');
    expect(err.stack).not.toMatch(HOST_FRAME);
  });

  it('a change to the CallSite prototype in one event is not seen by the next', async () => {
    const src = `function handler(event) {
  var saved = Error.prepareStackTrace;
  Error.prepareStackTrace = function (e, cs) { return cs; };
  var cs = new Error('q').stack;
  Error.prepareStackTrace = saved;
  var P = Object.getPrototypeOf(cs[0]);
  event.request.headers['x-seen'] = { value: String(P.marker) };
  P.marker = 'set by an earlier event';
  return event.request;
}`;
    const f = loadFunction(src, { runtime, filename: 'fn.js' });
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await f.invokeAsync(vrEvent(), { timeoutMs: 2000 });
      expect(r.outcome.kind).toBe('forward');
      seen.push(header(r, 'x-seen'));
    }
    expect(seen).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
  });
});

describe('err.stack in the sandbox worker of `cfreplay run`', () => {
  it('has no host frame', () => {
    const fn = join(tmp.path, 'stack.js');
    writeFileSync(fn, STACKS);
    const ev = join(tmp.path, 'ev.json');
    writeFileSync(ev, JSON.stringify(vrEvent()));
    const res = cfreplay(['run', fn, '--event', ev, '--json']);
    expect(res.status).toBe(0);
    const out = JSON.parse(JSON.parse(res.stdout).FunctionOutput as string) as { request: { headers: Record<string, { value: string }> } };
    const made = out.request.headers['x-made']!.value;
    expect(made).toMatch(/^Error: made\n {4}at inner \(.*stack\.js:1:27\)\n {4}at handler \(.*stack\.js:3:14\)$/);
  });
});
