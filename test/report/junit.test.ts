// JUnit XML: parsed back with a strict XML 1.0 reader (test/report/xml.ts),
// checked for the structure CI viewers need (testsuites > testsuite >
// testcase [> failure]), counts that add up, and escaping of hostile values.
import { describe, expect, it } from 'vitest';
import { generateReport, HOSTILE } from '../helpers/report-fixtures.js';
import { renderJunit } from '../../src/report/junit.js';
import type { ReplayReport } from '../../src/results/types.js';
import { childrenNamed, parseXml, type XmlElement } from './xml.js';

function check(xml: string) {
  const { declaration, root } = parseXml(xml);
  expect(declaration).toMatchObject({ version: '1.0', encoding: 'UTF-8' });
  expect(root.name).toBe('testsuites');
  const suites = childrenNamed(root, 'testsuite');
  let tests = 0;
  let failures = 0;
  for (const s of suites) {
    // Attributes the Ant/Jenkins JUnit schema requires on a testsuite.
    for (const a of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname']) expect(s.attrs, `testsuite ${s.attrs.name} @${a}`).toHaveProperty(a);
    expect(s.attrs.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(s.attrs.time).toMatch(/^\d+\.\d{3}$/);
    const cases = childrenNamed(s, 'testcase');
    const failed = cases.filter((c) => childrenNamed(c, 'failure').length > 0);
    expect(Number(s.attrs.tests)).toBe(cases.length);
    expect(Number(s.attrs.failures)).toBe(failed.length);
    expect(s.attrs.errors).toBe('0');
    for (const c of cases) {
      expect(c.attrs.name, 'testcase name').toBeTruthy();
      expect(c.attrs.classname, 'testcase classname').toBeTruthy();
      expect(childrenNamed(c, 'failure').length).toBeLessThanOrEqual(1);
      for (const f of childrenNamed(c, 'failure')) expect(f.attrs.message, 'failure message').toBeTruthy();
    }
    // Schema order: properties first, system-out after the test cases.
    const names = s.children.map((c) => c.name);
    expect(names[0]).toBe('properties');
    expect(names[names.length - 1]).toBe('system-out');
    tests += cases.length;
    failures += failed.length;
  }
  expect(Number(root.attrs.tests)).toBe(tests);
  expect(Number(root.attrs.failures)).toBe(failures);
  return { root, suites, suite: (name: string) => suites.find((s) => s.attrs.name === name) as XmlElement };
}

describe('renderJunit', () => {
  it('one failed test case per diff group (examples in the body), one per gate check; counts add up', () => {
    const report = generateReport({ seed: 3, groups: 25, examplesPerGroup: 4 });
    const { suite } = check(renderJunit(report));
    const diffs = childrenNamed(suite('cfreplay.diffs'), 'testcase');
    expect(diffs).toHaveLength(25);
    const byName = new Map(diffs.map((d) => [d.attrs.name, d]));
    for (const g of report.diffs) {
      const tc = [...byName.values()].find((d) => childrenNamed(d, 'failure')[0]!.text.includes(`group id: ${g.id}`));
      expect(tc, `test case for group ${g.id}`).toBeDefined();
      expect(tc!.attrs.classname).toBe(`cfreplay.diff.${g.risk}`);
      const failure = childrenNamed(tc!, 'failure')[0]!;
      expect(failure.attrs.type).toBe(`diff.${g.kind}`);
      expect(failure.text).toContain(`${g.path} (${g.kind}, risk ${g.risk})`);
      for (const e of g.examples) expect(failure.text).toContain(`record ${e.position} event ${e.eventId}: ${e.method} ${e.uri}`);
    }
    // Riskiest first, like every other view.
    const risks = diffs.map((d) => d.attrs.classname);
    expect(risks.indexOf('cfreplay.diff.low')).toBeGreaterThan(risks.lastIndexOf('cfreplay.diff.high'));

    const gate = childrenNamed(suite('cfreplay.gate'), 'testcase');
    expect(gate.map((g) => g.attrs.name)).toEqual(report.gate.checks.map((c) => `gate: ${c.name}`));
    for (const [i, c] of report.gate.checks.entries()) {
      const failure = childrenNamed(gate[i]!, 'failure');
      expect(failure.length, c.name).toBe(c.passed ? 0 : 1);
      if (!c.passed) expect(failure[0]!.attrs.message).toBe(c.message);
    }
    expect(report.gate.checks.some((c) => c.passed) && report.gate.checks.some((c) => !c.passed)).toBe(true);
  });

  it('escapes markup and replaces characters XML 1.0 forbids, keeping the rest of the value exact', () => {
    const report = generateReport({ seed: 1, groups: 8, hostile: true });
    const xml = renderJunit(report);
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain('</script>');
    expect(xml).not.toMatch(/[\u0001\u0008]/);
    const { suite } = check(xml);
    const hostile = childrenNamed(suite('cfreplay.diffs'), 'testcase').find((t) => t.attrs.name!.includes('x-debug'))!;
    expect(hostile.attrs.name).toContain(HOSTILE.signature);
    const body = childrenNamed(hostile, 'failure')[0]!.text;
    // Example values go in the body as JSON strings (control characters and lone surrogates JSON-escaped).
    expect(body).toContain(JSON.stringify(HOSTILE.value));
    expect(body).toContain(HOSTILE.uri);

    // Raw control characters and a lone surrogate in a name and a message become U+FFFD.
    report.diffs[0]!.signature = 'a\u0001b\ud800c\u{1F600}d\uFFFEe';
    report.gate.checks[0] = { name: 'behaviour', passed: false, message: 'x\u001fy' };
    const again = check(renderJunit(report));
    const names = childrenNamed(again.suite('cfreplay.diffs'), 'testcase').map((t) => t.attrs.name!);
    expect(names.some((n) => n.endsWith('a\uFFFDb\uFFFDc\u{1F600}d\uFFFDe'))).toBe(true);
    expect(childrenNamed(childrenNamed(again.suite('cfreplay.gate'), 'testcase')[0]!, 'failure')[0]!.attrs.message).toBe('x\uFFFDy');
  });

  it('keeps newlines, tabs and quotes in attributes through attribute normalisation', () => {
    const report = generateReport({ seed: 2, groups: 1 });
    report.gate.checks[0] = { name: 'behaviour', passed: false, message: 'line one\nline "two"\tend <&>' };
    const { suite } = check(renderJunit(report));
    const failure = childrenNamed(childrenNamed(suite('cfreplay.gate'), 'testcase')[0]!, 'failure')[0]!;
    expect(failure.attrs.message).toBe('line one\nline "two"\tend <&>');
  });

  it('a report without differences has one passing diff test case; the cap folds the rest into one failure', () => {
    const clean: ReplayReport = { ...generateReport({ seed: 4, groups: 0 }), diffs: [] };
    clean.gate = { passed: true, checks: [{ name: 'behaviour', passed: true, message: 'no behavioural difference' }] };
    const a = check(renderJunit(clean));
    expect(a.root.attrs).toMatchObject({ tests: '2', failures: '0' });
    expect(childrenNamed(a.suite('cfreplay.diffs'), 'testcase')[0]!.attrs.name).toBe('no behavioural difference');

    const big = generateReport({ seed: 5, groups: 30, examplesPerGroup: 1 });
    big.diffsTruncated = { groups: 7, events: 70 };
    const b = check(renderJunit(big, { maxGroups: 10 }));
    const cases = childrenNamed(b.suite('cfreplay.diffs'), 'testcase');
    expect(cases).toHaveLength(11);
    const folded = cases[10]!;
    const foldedEvents = [...big.diffs].sort((x, y) => ({ high: 0, medium: 1, low: 2 })[x.risk] - ({ high: 0, medium: 1, low: 2 })[y.risk] || y.count - x.count).slice(10).reduce((s, g) => s + g.count, 0) + 70;
    expect(childrenNamed(folded, 'failure')[0]!.attrs.message).toBe(`27 more difference groups (${foldedEvents.toLocaleString('en-US')} events) not listed one by one`);
  });

  it('the reader used here rejects what it should (so the checks above mean something)', () => {
    expect(() => parseXml('<a>x & y</a>')).toThrow(/bare '&'/);
    expect(() => parseXml('<a><b></a></b>')).toThrow(/does not match/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/forbidden character/);
    expect(() => parseXml('<a x="<"/>')).toThrow(/bad attribute/);
    expect(() => parseXml('<a/><b/>')).toThrow(/second root/);
    expect(() => parseXml('<a>&#1;</a>')).toThrow(/forbidden/);
    expect(parseXml('<a x="&lt;&#10;">&amp;&#x41;</a>').root).toMatchObject({ attrs: { x: '<\n' }, text: '&A' });
  });
});
