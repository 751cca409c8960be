/**
 * How `cfreplay test` shows its results: like a test runner, one line per
 * failing case (where it is, then each differing field: expected vs got),
 * a closing `N passed, M failed` line; and JUnit XML (one testcase per case).
 */
import { summarizeFilled } from '../event/complete.js';
import { xmlAttr, xmlText } from '../report/junit.js';
import { outcomeDetail } from '../diff/index.js';
import type { Mismatch } from './assert.js';
import type { CaseResult } from './run-cases.js';

/** At most this many fields on a failure line; the rest are counted. */
const FIELDS_PER_LINE = 6;
const VALUE_CHARS = 120;

function clip(s: string): string {
  return s.length > VALUE_CHARS ? `${s.slice(0, VALUE_CHARS - 1)}…` : s;
}

export function describeMismatches(ms: readonly Mismatch[]): string {
  const shown = ms.slice(0, FIELDS_PER_LINE).map((m) => `${m.path}: expected ${clip(m.expected)}, got ${clip(m.actual)}`);
  if (ms.length > FIELDS_PER_LINE) shown.push(`(+${ms.length - FIELDS_PER_LINE} more)`);
  return shown.join('; ');
}

/** One line for a case that did not pass. */
export function failureLine(r: CaseResult): string {
  if (r.status === 'no-expectation') return `NONE ${r.case.label}: no expectation (outcome ${outcomeDetail(r.result)}); --update writes the current output as one`;
  return `FAIL ${r.case.label}: ${describeMismatches(r.mismatches)}`;
}

export interface TestSummary {
  passed: number;
  failed: number;
  noExpectation: number;
}

export function summarize(results: readonly CaseResult[]): TestSummary {
  const s = { passed: 0, failed: 0, noExpectation: 0 };
  for (const r of results) {
    if (r.status === 'passed') s.passed++;
    else if (r.status === 'failed') s.failed++;
    else s.noExpectation++;
  }
  return s;
}

/** `238 passed, 2 failed` (cases without expectations count as failed and are named). */
export function closingLine(s: TestSummary, ms: number): string {
  const failed = s.failed + s.noExpectation;
  return `${s.passed} passed, ${failed} failed${s.noExpectation > 0 ? ` (${s.noExpectation} without expectation)` : ''} (${(ms / 1000).toFixed(2)} s)`;
}

/** `filled in: viewer.ip=203.0.113.10 (40), ...`, or undefined when every event was complete. */
export function filledLine(results: readonly CaseResult[]): string | undefined {
  const text = summarizeFilled(results.map((r) => r.filled));
  return text === '' ? undefined : `filled in (cases): ${text}`;
}

export interface JunitMeta {
  function: string;
  runtime: string;
  durationMs: number;
}

export function renderTestJunit(results: readonly CaseResult[], meta: JunitMeta): string {
  const s = summarize(results);
  const failures = s.failed + s.noExpectation;
  const time = (meta.durationMs / 1000).toFixed(3);
  const suite = `cfreplay.test ${meta.function}`;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="cfreplay" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`);
  out.push(`  <testsuite name="${xmlAttr(suite)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`);
  out.push('    <properties>');
  out.push(`      <property name="function" value="${xmlAttr(meta.function)}"/>`);
  out.push(`      <property name="runtime" value="${xmlAttr(meta.runtime)}"/>`);
  out.push('    </properties>');
  for (const r of results) {
    const t = (r.result.durationNs / 1e9).toFixed(6);
    const name = xmlAttr(r.case.label);
    const cls = xmlAttr(r.case.file);
    if (r.status === 'passed') {
      out.push(`    <testcase name="${name}" classname="${cls}" time="${t}"/>`);
      continue;
    }
    const message = r.status === 'no-expectation' ? 'no expectation' : describeMismatches(r.mismatches);
    const body = r.status === 'no-expectation' ? failureLine(r) : r.mismatches.map((m) => `${m.path}\n  expected ${m.expected}\n  got      ${m.actual}`).join('\n');
    out.push(`    <testcase name="${name}" classname="${cls}" time="${t}">`);
    out.push(`      <failure message="${xmlAttr(clip(message))}" type="${r.status}">${xmlText(body)}</failure>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
