// The streaming HAR scanner: grammar, strings, BOM, JSONP, elision, chunk
// boundaries anywhere, and clean errors for bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HarScanner, scanHarBuffer } from '../../src/record/har/scanner.js';
import { expectSameEntriesWhateverChunking, scanChunks, scanError } from '../helpers/har-scan.js';

const fixtures = new URL('../fixtures/har/', import.meta.url).pathname;

const har = (entries: string, extra = ''): Buffer =>
  Buffer.from(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"}${extra},"entries":[${entries}]}}`);

describe('HarScanner', () => {
  it('slices each entry exactly and parses log metadata', () => {
    const data = har('{"a":1,"b":[1,2,{"c":null}]} , {"request":{"url":"x"}}');
    const { entries, meta } = scanHarBuffer('t.har', data);
    expect(entries.map((e) => JSON.parse(e.text!))).toEqual([{ a: 1, b: [1, 2, { c: null }] }, { request: { url: 'x' } }]);
    expect(entries[0]!.index).toBe(0);
    expect(entries[1]!.index).toBe(1);
    expect(data.subarray(entries[0]!.offset, entries[0]!.offset + 1).toString()).toBe('{');
    expect(meta.creator).toEqual({ name: 't', version: '1' });
    expect(meta.version).toBe('1.2');
  });

  it('strings holding quotes, backslashes, braces and brackets do not confuse nesting', () => {
    const tricky = String.raw`{"request":{"url":"https://e.com/?q=\"}]","headers":[{"name":"X","value":"\\"},{"name":"Y","value":"\\\"{["}]},"k\"ey}":"]"}`;
    const { entries } = scanHarBuffer('t.har', har(`${tricky},{"n":2}`));
    expect(entries).toHaveLength(2);
    expect(JSON.parse(entries[0]!.text!)).toEqual(JSON.parse(tricky));
  });

  it('elides response.content.text, request.postData.text and _webSocketMessages', () => {
    const e = String.raw`{"request":{"url":"u","postData":{"mimeType":"a","text":"BODY\"}"}},"response":{"status":200,"content":{"size":9,"text":"<html>\"]}</html>","mimeType":"text/html"}},"_webSocketMessages":[{"data":"x"}],"other":{"text":"kept"}}`;
    const { entries } = scanHarBuffer('t.har', har(e));
    const parsed = JSON.parse(entries[0]!.text!);
    expect(parsed.response.content).toEqual({ size: 9, text: '', mimeType: 'text/html' });
    expect(parsed.request.postData).toEqual({ mimeType: 'a', text: '' });
    expect(parsed._webSocketMessages).toBeNull();
    expect(parsed.other).toEqual({ text: 'kept' });
    expect(entries[0]!.text).not.toContain('BODY');
  });

  it('keeps bodies when elision is off', () => {
    const e = `{"response":{"content":{"text":"B"}}}`;
    const s = new HarScanner('t.har', { elideBodies: false });
    const [entry] = s.push(har(e));
    s.end();
    expect(JSON.parse(entry!.text!).response.content.text).toBe('B');
  });

  it('accepts a UTF-8 BOM, and JSONP (.harp)', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), har('{"a":"\u00e9"}')]);
    const r = scanHarBuffer('bom.har', bom);
    expect(r.meta.bom).toBe(true);
    expect(JSON.parse(r.entries[0]!.text!)).toEqual({ a: 'é' });
    const jsonp = Buffer.from(`onInputData(${har('{"a":1}').toString()});\n`);
    const j = scanHarBuffer('x.harp', jsonp);
    expect(j.meta.jsonp).toBe(true);
    expect(j.entries).toHaveLength(1);
  });

  it('accepts every valid number form', () => {
    const { entries } = scanHarBuffer('t.har', har('{"n":[0,-0,1.5e+10,2E-3,10,-12.25,3e7,0.5]}'));
    expect(JSON.parse(entries[0]!.text!).n).toEqual([0, -0, 1.5e10, 2e-3, 10, -12.25, 3e7, 0.5]);
  });

  it('elides queryString[], timings and _initiator (never used)', () => {
    const e = '{"request":{"url":"u?q=%41","queryString":[{"name":"q","value":"A"}]},"timings":{"wait":1},"_initiator":{"stack":{"callFrames":[]}},"time":3}';
    const parsed = JSON.parse(scanHarBuffer('t.har', har(e)).entries[0]!.text!);
    expect(parsed).toEqual({ request: { url: 'u?q=%41', queryString: null }, timings: null, _initiator: null, time: 3 });
  });

  it('matches member names written with escapes', () => {
    const e = String.raw`{"request":{"postData":{"text":"BODY"}}}`;
    const parsed = JSON.parse(scanHarBuffer('t.har', Buffer.from(String.raw`{"log":{"entries":[${e}]}}`)).entries[0]!.text!);
    expect(parsed).toEqual({ request: { postData: { text: '' } } });
  });

  it('reports entries that are not objects, and oversized entries, without text', () => {
    const { entries } = scanHarBuffer('t.har', har('1,"s",{"ok":true},null,[1]'));
    expect(entries.map((e) => e.problem ?? 'ok')).toEqual(['not an object', 'not an object', 'ok', 'not an object', 'not an object']);
    const s = new HarScanner('t.har', { maxEntryBytes: 20 });
    const big = s.push(har(`{"a":"${'x'.repeat(100)}"},{"b":1}`));
    s.end();
    expect(big[0]!.problem).toBe('too large');
    expect(big[1]!.text).toBe('{"b":1}');
  });

  const files: [string, Buffer][] = [
    ['edge-cases.har', readFileSync(`${fixtures}edge-cases.har`)],
    ['bom + tricky', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), har(String.raw`{"x":"\\\"","response":{"content":{"text":"a\\\\\"b\\"}}},{"n":-1.5e+3,"t":true,"f":false}`)])],
    ['JSONP (.harp) around a BOM-less HAR', Buffer.from(`onInputData(${readFileSync(`${fixtures}chrome-sanitized.har`, 'utf8')});\n`)],
    ['chrome-provisional.har', readFileSync(`${fixtures}chrome-provisional.har`)],
  ];

  it.each(files)('%s: 1-byte, 7-byte and random chunks give identical entries', (_name, data) => {
    expectSameEntriesWhateverChunking(data);
  });

  it('errors also land at the same place whatever the chunking', () => {
    const data = Buffer.from('{"log":{"entries":[{"a":1}, {"b":2} {"c":3}]}}');
    const whole = scanError(data, 'test.har');
    expect(() => scanChunks(data, () => 1)).toThrow(whole.message);
    expect(() => scanChunks(data, () => 7)).toThrow(whole.message);
  });
});

describe('HarScanner bad input: one line, file and place', () => {
  it.each([
    ['empty file', '', /bad\.har: empty file/],
    ['whitespace only', '  \n ', /bad\.har: empty file/],
    ['not JSON (text)', 'hello world', /bad\.har: not JSON: the file starts with the text "hello" .* at line 1, column 1, byte 0$/],
    ['not JSON (bare name)', 'hello', /bad\.har: not JSON: the file holds only a name/],
    ['not JSON (HTML)', '<html></html>', /bad\.har: not JSON: the file starts with '<' \(HTML or XML\?\) at line 1, column 1, byte 0/],
    ['not JSON (binary)', '\x00\x01', /bad\.har: not JSON: unexpected byte 0x00 at the start/],
    ['a JSON array', '[1,2]', /not a HAR: the file holds a JSON array/],
    ['a JSON string', '"x"', /not a HAR: the file holds a JSON string/],
    ['a JSON boolean', 'true', /not a HAR: the file holds a JSON boolean/],
    ['a JSON null', ' null\n', /not a HAR: the file holds a JSON null/],
    ['no log', '{"foo":1,"bar":[]}', /not a HAR: no top-level "log" member \(top-level members: "foo", "bar"\) at line 1, column 18, byte 17/],
    ['Lambda@Edge event', '{"Records":[{"cf":{}}]}', /Lambda@Edge/],
    ['CloudFront Functions event', '{"version":"1.0","context":{},"viewer":{},"request":{}}', /record events/],
    ['log is an array', '{"log":[1]}', /not a HAR: "log" is an array, expected an object at line 1, column 8, byte 7/],
    ['no entries', '{"log":{"version":"1.2"}}', /not a HAR: "log" has no "entries" array/],
    ['entries not an array', '{"log":{"entries":{}}}', /"log.entries" is an object, expected an array/],
    ['missing comma', '{"log":{"entries":[{"a":1} {"b":2}]}}', /not valid JSON: unexpected '\{', expected ',' or '\]' at line 1, column 28, byte 27/],
    ['trailing comma', '{"log":{"entries":[{"a":1},]}}', /unexpected '\]', expected a value/],
    ['missing colon', '{"log":{"entries" []}}', /unexpected '\[', expected ':'/],
    ['bad literal', '{"log":{"entries":[{"a":tru}]}}', /invalid literal \(expected 'true'\)/],
    ['bad number outside entries', '{"log":{"x":01,"entries":[]}}', /invalid number at line 1, column 13, byte 12/],
    ...['1.', '-', '1e', '1.5e+', '00', '-01', '1.2.3', '2e5.1'].map(
      (n): [string, string, RegExp] => [`bad number ${n} inside an entry`, `{"log":{"entries":[{"a":${n}}]}}`, /invalid number at line 1, column 25, byte 24 \(in log\.entries\[0\]\)/],
    ),
    ['trailing garbage', '{"log":{"entries":[]}} x', /unexpected 'x' after the end of the JSON value at line 1, column 24, byte 23/],
    ['two documents', '{"log":{"entries":[]}}{"log":{}}', /unexpected '\{' after the end of the JSON value/],
    ['UTF-16', Buffer.from([0xff, 0xfe, 0x7b, 0x00]), /UTF-16/],
    ['gzip bytes', Buffer.from([0x1f, 0x8b, 0x08, 0x00]), /gzip-compressed/],
    ['truncated in an entry', '{"log":{"entries":[{"a":1},\n{"b":[2,', /truncated JSON: the file ends inside log\.entries\[1\] \(which starts at line 2, byte 28\) at line 2, column 9, byte 36$/],
    ['truncated in a string', '{"log":{"entries":[], "x":"abc', /truncated JSON: the file ends inside a string that starts at byte 26/],
    ['truncated after the root', '{"log":{"entries":[]}', /truncated JSON: the file ends with 1 unclosed bracket/],
    ['truncated JSONP', 'cb({"log":{"entries":[]}}', /JSONP wrapper has no closing '\)'/],
    ['truncated BOM', Buffer.from([0xef, 0xbb]), /ends inside its byte order mark/],
  ])('%s', (_name, input, re) => {
    const err = scanError(typeof input === 'string' ? Buffer.from(input) : input);
    expect(err.message).toMatch(re);
    expect(err.message).not.toContain('\n');
    expect(err.userFacing).toBe(true);
  });
});
