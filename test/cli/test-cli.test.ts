// `cfreplay test` through the built CLI: a runner's output, JUnit, --update, exit codes 0/1/2.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';
import { childrenNamed, parseXml } from '../report/xml.js';

const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const HEADERS = new URL('../fixtures/functions/security-headers.js', import.meta.url).pathname;
const tmp = useTempDir();

function suite(dir: string): void {
  mkdirSync(join(dir, 'cases', 'more'), { recursive: true });
  // cftest's own format, as its README shows it
  writeFileSync(
    join(dir, 'cases', 'a-root.json'),
    JSON.stringify({
      event: { request: { method: 'GET', uri: '/', querystring: {}, headers: { host: { value: 'www.example.com' } }, cookies: {} } },
      output: { request: { method: 'GET', uri: '/index.html', querystring: {}, headers: { host: { value: 'www.example.com' } }, cookies: {} } },
    }),
  );
  writeFileSync(
    join(dir, 'cases', 'more', 'b.jsonl'),
    [
      { name: 'directory gets index.html', event: { request: { uri: '/docs/' } }, expect: { 'request.uri': '/docs/index.html', outcome: 'forward' } },
      { name: 'asset kept', event: { request: { uri: '/app.css' } }, expect: { 'request.uri': '/app.css' } },
      { name: 'wrong on purpose', event: { request: { uri: '/b' } }, expect: { 'request.uri': '/b', 'request.headers.x-foo': '1' } },
    ]
      .map((c) => JSON.stringify(c))
      .join('\n'),
  );
}

describe('cfreplay test', () => {
  it('runs every case in one process and reports like a test runner, with JUnit', () => {
    suite(tmp.path);
    const junit = join(tmp.path, 'out', 'junit.xml');
    const r = cfreplay(['test', SPA, join(tmp.path, 'cases'), '--junit', junit], { cwd: tmp.path });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`cfreplay test ${SPA}: 4 cases from 2 files, runtime cloudfront-js-1.0 (detected: no 2.0 syntax)`);
    expect(lines[1]).toBe('filled in (cases): context.eventType=viewer-request (the function does not read event.response) (4), version=1.0 (4), viewer.ip=203.0.113.10 (4), request.method=GET (3)');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([
      `FAIL wrong on purpose (${join(tmp.path, 'cases', 'more', 'b.jsonl')}:3): request.uri: expected "/b", got "/b/index.html"; request.headers.x-foo: expected "1", got (absent)`,
    ]);
    expect(lines.at(-1)).toMatch(/^3 passed, 1 failed \(\d+\.\d\d s\)$/);
    const root = parseXml(readFileSync(junit, 'utf8')).root;
    expect(root.attrs).toMatchObject({ tests: '4', failures: '1' });
    const cases = childrenNamed(childrenNamed(root, 'testsuite')[0]!, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toContain(`wrong on purpose (${join(tmp.path, 'cases', 'more', 'b.jsonl')}:3)`);
    const failed = cases.find((c) => childrenNamed(c, 'failure').length > 0)!;
    expect(childrenNamed(failed, 'failure')[0]!.text).toContain('request.uri\n  expected "/b"\n  got      "/b/index.html"');
  });

  it('--update writes the current outputs as expectations; the suite then passes and the events are kept as written', () => {
    suite(tmp.path);
    const bare = join(tmp.path, 'cases', 'more', 'c.json');
    writeFileSync(bare, JSON.stringify([{ request: { uri: '/x/' } }, { name: 'n', event: { request: { uri: '/y' } } }]));
    const before = cfreplay(['test', SPA, join(tmp.path, 'cases')]);
    expect(before.status).toBe(1);
    expect(before.stdout).toContain(`NONE ${bare}#0: no expectation (outcome forward); --update writes the current output as one`);
    const upd = cfreplay(['test', SPA, join(tmp.path, 'cases'), '--update']);
    expect(upd.status).toBe(0);
    expect(upd.stdout).toMatch(/updated 3 cases in 2 files/);
    const written = JSON.parse(readFileSync(bare, 'utf8')) as Record<string, unknown>[];
    expect(written[0]).toEqual({ event: { request: { uri: '/x/' } }, output: { request: { method: 'GET', uri: '/x/index.html', querystring: {}, headers: {}, cookies: {} } } });
    expect(written[1]).toMatchObject({ name: 'n', event: { request: { uri: '/y' } } });
    const lines = readFileSync(join(tmp.path, 'cases', 'more', 'b.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[2]!)).toEqual({ name: 'wrong on purpose', event: { request: { uri: '/b' } }, expect: { 'request.uri': '/b/index.html', 'request.headers.x-foo': null } });
    const after = cfreplay(['test', SPA, join(tmp.path, 'cases')]);
    expect(after.status).toBe(0);
    expect(after.stdout.trim().split('\n').at(-1)).toMatch(/^6 passed, 0 failed/);
  });

  it('reads JSON lines on stdin (--stdin); viewer-response functions get viewer-response events', () => {
    const input = [
      { name: 'headers added', event: { response: { statusCode: 200 } }, expect: { 'response.headers.strict-transport-security': 'max-age=63072000; includeSubdomains; preload' } },
    ]
      .map((c) => JSON.stringify(c))
      .join('\n');
    const r = cfreplay(['test', HEADERS, '--stdin'], { input });
    expect(r.stdout).toMatch(/context\.eventType=viewer-response \(the function reads event\.response\)/);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^1 passed, 0 failed/);
    expect(r.status).toBe(0);
  });

  it('bad input is one line and exit 2', () => {
    const bad = join(tmp.path, 'bad.jsonl');
    writeFileSync(bad, '{"event":{"request":{"uri":"/"}},"expect":{"request.url":"/"}}\n');
    const r = cfreplay(['test', SPA, bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cfreplay: ${bad}:1: expect: unknown path "request.url" (expected outcome, error, request.uri, request.method, request.headers.<name>, request.querystring.<name>, request.cookies.<name>, response.statusCode, response.headers.<name>, response.cookies.<name>, response.body, origin)\n`);
    const missing = cfreplay(['test', SPA, join(tmp.path, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope: case file or directory not found/);
    const stdinUpdate = cfreplay(['test', SPA, '--stdin', '--update'], { input: '' });
    expect(stdinUpdate.status).toBe(2);
    expect(stdinUpdate.stderr).toMatch(/--update cannot rewrite cases read from stdin/);
  });
});
