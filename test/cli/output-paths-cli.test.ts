// The output-path check covers `cfreplay test --junit` and the generated --redact key file: never an input, a
// directory or a device; a one-line error (exit 2) before any work, the inputs unchanged.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;

describe('cfreplay test --junit', () => {
  const tmp = useTempDir();
  const setup = () => {
    const fn = join(tmp.path, 'spa.js');
    copyFileSync(join(fixtures, 'functions/spa-rewrite.js'), fn);
    const cases = join(tmp.path, 'cases.jsonl');
    writeFileSync(cases, `${JSON.stringify({ name: 'root', event: { request: { uri: '/' } }, expect: { 'request.uri': '/index.html' } })}\n`);
    const kvs = join(tmp.path, 'kvs.json');
    writeFileSync(kvs, JSON.stringify({ data: [] }));
    const pre = join(tmp.path, 'pre.js');
    writeFileSync(pre, 'var SHARED = 1;\n');
    return { fn, cases, kvs, pre };
  };

  it('refuses an input (the function, a case file, the KVS file, a --prepend file), a directory and a device', () => {
    const { fn, cases, kvs, pre } = setup();
    const before = new Map([fn, cases, kvs, pre].map((p) => [p, readFileSync(p, 'utf8')]));
    const dir = join(tmp.path, 'adir');
    mkdirSync(dir);
    const linkToCases = join(tmp.path, 'link.xml');
    symlinkSync(cases, linkToCases);
    const attempts: [string, RegExp][] = [
      [fn, /--junit .*spa\.js: is the function/],
      [cases, /--junit .*cases\.jsonl: is a case file/],
      [linkToCases, /--junit .*link\.xml: is a case file/],
      [kvs, /--junit .*kvs\.json: is the KVS file/],
      [pre, /--junit .*pre\.js: is a --prepend file/],
      [dir, /--junit .*adir: is a directory/],
      ['/dev/null', /--junit \/dev\/null: is a device/],
    ];
    for (const [junit, message] of attempts) {
      const r = cfreplay(['test', fn, cases, '--kvs', kvs, '--prepend', pre, '--junit', junit], { cwd: tmp.path });
      expect(r.status, `${junit}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    for (const [p, text] of before) expect(readFileSync(p, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual([]);
    // A new file in a new directory is fine.
    const ok = cfreplay(['test', fn, cases, '--junit', join(tmp.path, 'out', 'j.xml')], { cwd: tmp.path });
    expect(ok.status).toBe(0);
    expect(statSync(join(tmp.path, 'out', 'j.xml')).isFile()).toBe(true);
  });
});

describe('the generated --redact key file', () => {
  const tmp = useTempDir();
  const event = join(fixtures, 'events/viewer-request.json');
  const generated = (stderr: string) => /generated an HMAC key, written to (\S+) /.exec(stderr)?.[1];

  it('goes beside the output, never over what is there (a directory, a link to an input, a file): the next free name', () => {
    const out = join(tmp.path, 'r.cfr');
    const input = join(tmp.path, 'in.json');
    copyFileSync(event, input);
    const inputText = readFileSync(input, 'utf8');
    mkdirSync(`${out}.redact-key`); // a directory where the key would go
    symlinkSync(input, `${out}.redact-key.1`); // a link to the input
    writeFileSync(`${out}.redact-key.2`, 'an older key\n'); // a file
    const r = cfreplay(['record', 'events', input, '-o', out, '--redact', 'header:host'], { cwd: tmp.path });
    expect(r.status, r.stderr).toBe(0);
    const keyFile = generated(r.stderr);
    expect(keyFile).toBe(`${out}.redact-key.3`);
    expect(statSync(keyFile!).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile!, 'utf8')).toMatch(/^[A-Za-z0-9_-]{20,}\n$/);
    expect(readFileSync(input, 'utf8')).toBe(inputText);
    expect(lstatSync(`${out}.redact-key.1`).isSymbolicLink()).toBe(true);
    expect(readFileSync(`${out}.redact-key.2`, 'utf8')).toBe('an older key\n');
    expect(readdirSync(`${out}.redact-key`)).toEqual([]);
    // The key is printed nowhere.
    expect(r.stderr + r.stdout).not.toContain(readFileSync(keyFile!, 'utf8').trim());
  });

  it('a dry run writes no key file', () => {
    const before = readdirSync(tmp.path).sort();
    const dry = cfreplay(['record', 'events', event, '--dry-run', '--redact', 'header:host'], { cwd: tmp.path });
    expect(dry.status).toBe(0);
    expect(generated(dry.stderr)).toBeUndefined();
    expect(readdirSync(tmp.path).sort()).toEqual(before);
    expect(existsSync(join(tmp.path, 'cfreplay.redact-key'))).toBe(false);
  });
});
