// Deploy transforms (--strip-export, --define, --prepend) and the hints a rejected function gets.
import { describe, expect, it } from 'vitest';
import { applyTransforms, explainLoadError, parseDefine, TransformOptionError } from '../../src/runtime/transforms.js';
import { loadFunction } from '../../src/runtime/loader.js';
import { checkSource } from '../../src/runtime/syntax-gate.js';
import { FunctionLoadError } from '../../src/runtime/errors.js';

const FN = 'function handler(event) {\n  return event.request;\n}\n';

function loadError(source: string): FunctionLoadError {
  try {
    checkSource(source, 'cloudfront-js-2.0', 'fn.js');
  } catch (e) {
    return e as FunctionLoadError;
  }
  throw new Error('expected the source to be rejected');
}

describe('strip-export', () => {
  it('removes export statements and keeps every line and column where it was', () => {
    const src = `export ${FN}export { helper };\nfunction helper() {}\n`;
    const r = applyTransforms(src, { stripExport: true });
    expect(r.source.split('\n')).toHaveLength(src.split('\n').length);
    expect(r.source.indexOf('function handler')).toBe(src.indexOf('function handler'));
    expect(r.source).not.toContain('export');
    expect(r.applied).toEqual(['strip-export (2 statements, lines 1, 4)']);
    expect(() => checkSource(r.source, 'cloudfront-js-2.0', 'fn.js')).not.toThrow();
  });
  it('names an anonymous default export handler, as CloudFront calls it', () => {
    const r = applyTransforms('export default function (event) { return event.request; }\n', { stripExport: true });
    const fn = loadFunction(r.source, { runtime: 'cloudfront-js-1.0' });
    const out = fn.invoke({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/a', querystring: {}, headers: {}, cookies: {} } });
    expect((out as { outcome: { kind: string } }).outcome.kind).toBe('forward');
  });
  it('says when there was nothing to strip', () => {
    expect(applyTransforms(FN, { stripExport: true }).applied).toEqual(['strip-export (no export statement found)']);
  });
});

describe('define', () => {
  it('replaces every occurrence textually and counts them', () => {
    const src = "import cf from 'cloudfront';\nconst kvs = cf.kvs('KVS_ID_PLACEHOLDER');\nconst arn = '${KvsArn}';\n// KVS_ID_PLACEHOLDER\n" + FN;
    const r = applyTransforms(src, { defines: [parseDefine('KVS_ID_PLACEHOLDER=a1b2'), parseDefine('${KvsArn}=arn:aws:x=y')] });
    expect(r.source).toContain("cf.kvs('a1b2')");
    expect(r.source).toContain("'arn:aws:x=y'");
    expect(r.defineCounts.get('KVS_ID_PLACEHOLDER')).toBe(2);
    expect(r.applied).toEqual(['define KVS_ID_PLACEHOLDER (2 replacements)', 'define ${KvsArn} (1 replacement)']);
  });
  it('NAME=VALUE is required', () => {
    expect(() => parseDefine('NOEQUALS')).toThrow(TransformOptionError);
    expect(() => parseDefine('=x')).toThrow(/expected NAME=VALUE/);
    expect(parseDefine('A=')).toEqual({ name: 'A', value: '' });
  });
});

describe('prepend', () => {
  it('puts the file in front, defines apply to it too, and load errors point at the right file and line', () => {
    const t = { prepend: [{ path: 'globals.js', text: "var HOST = '__HOST__';\nvar BROKEN = ;\n" }], defines: [{ name: '__HOST__', value: 'a.example' }] };
    const r = applyTransforms(FN, t);
    expect(r.lineOffset).toBe(2);
    expect(r.source.startsWith("var HOST = 'a.example';")).toBe(true);
    const e = explainLoadError(loadError(r.source), r, t) as FunctionLoadError;
    expect(e.message).toMatch(/^globals\.js \(prepended\):2:\d+: SyntaxError/);
  });
  it('an error in the function itself keeps the function file line numbers', () => {
    const t = { prepend: [{ path: 'g.js', text: 'var A = 1;' }] };
    const r = applyTransforms('function handler(event) {\n  const [a] = [1];\n  return event.request;\n}\n', t);
    const e = explainLoadError(loadError(r.source), r, t) as FunctionLoadError;
    expect(e.message).toMatch(/^fn\.js:2:\d+: SyntaxError: destructuring/);
  });
});

describe('hints for rejected functions', () => {
  it('export without --strip-export: njs wording and the option named', () => {
    const src = `${FN}export { handler };\n`;
    const r = applyTransforms(src, undefined);
    const e = explainLoadError(loadError(src), r, undefined) as FunctionLoadError;
    expect(e.message).toBe('fn.js:4:1: SyntaxError: Illegal export statement; if your deploy step removes the export, pass --strip-export');
  });
  it('a parse error at ${ hints at template placeholders', () => {
    const src = 'function handler(event) {\n  var id = ${KvsId};\n  return event.request;\n}\n';
    const e = explainLoadError(loadError(src), applyTransforms(src, undefined), undefined) as FunctionLoadError;
    expect(e.message).toMatch(/^fn\.js:2:\d+: SyntaxError: Unexpected token.*template placeholder.*--define '\$\{Name\}=value'/);
  });
  it('a JavaScript template literal is not mistaken for a placeholder', () => {
    const src = 'function handler(event) {\n  var a = `${event.x}` +;\n}\n';
    const e = explainLoadError(loadError(src), applyTransforms(src, undefined), undefined) as FunctionLoadError;
    expect(e.message).not.toMatch(/placeholder/);
  });
});
