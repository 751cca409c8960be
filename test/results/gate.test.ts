// The CI gate: independent rules; a replay where OLD itself fails proves nothing and fails by default.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OLD_ERROR_RATE, GATE_RULES, gateChecks, oldErrorsRule, type GateInput } from '../../src/results/build.js';
import { replay } from '../../src/replay/replay.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const tmp = useTempDir();
const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const THROWS = new URL('../fixtures/replay/throws.js', import.meta.url).pathname;

function input(old: Record<string, number>, over: Partial<GateInput> = {}): GateInput {
  const events = Object.values(old).reduce((a, b) => a + b, 0);
  const p = { old: 1, new: 1, ratio: 1, significant: false };
  return {
    events,
    changed: 0,
    latency: { comparison: { p99: p } } as unknown as GateInput['latency'],
    run: { durationMs: 1, eventsPerSecond: 1, problems: [] },
    outcomes: { old, new: old },
    ...over,
  };
}

describe('old-errors rule', () => {
  it('passes while OLD fails on at most 1% of events by default, fails above', () => {
    expect(DEFAULT_MAX_OLD_ERROR_RATE).toBe(0.01);
    expect(oldErrorsRule(input({ forward: 990, 'execution-error': 10 }), {})?.passed).toBe(true);
    const c = oldErrorsRule(input({ forward: 980, 'execution-error': 10, 'validation-error': 5, timeout: 5 }), {})!;
    expect(c).toMatchObject({ name: 'old-errors', passed: false, actual: 0.02, limit: 0.01 });
    expect(c.message).toMatch(/^OLD itself failed \(errors, 502\/503\) on 20 of 1000 events .*proves nothing about NEW/);
    expect(oldErrorsRule(input({ forward: 980, 'execution-error': 20 }), { maxOldErrorRate: 0.05 })?.passed).toBe(true);
  });
  it('every other rule still decides on its own: a clean behaviour check does not hide a broken OLD', () => {
    const checks = gateChecks(input({ 'execution-error': 100 }), {});
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['behaviour', true],
      ['old-errors', false],
    ]);
    expect(gateChecks(input({ forward: 5 }), {}, GATE_RULES.filter((r) => r !== oldErrorsRule)).map((c) => c.name)).toEqual(['behaviour']);
  });
});

describe('replay with an OLD that fails everywhere', () => {
  it('reports no behavioural difference, yet the gate fails on old-errors', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 200);
    const r = await replay({ oldPath: THROWS, newPath: THROWS, corpus, workers: 1 });
    expect(r.changed).toBe(0);
    expect(r.gate.passed).toBe(false);
    expect(r.gate.checks.find((c) => c.name === 'behaviour')?.passed).toBe(true);
    expect(r.gate.checks.find((c) => c.name === 'old-errors')).toMatchObject({ passed: false, actual: 1 });
    expect(r.options.maxOldErrorRate).toBe(0.01);
    const tolerant = await replay({ oldPath: THROWS, newPath: THROWS, corpus, workers: 1, maxOldErrorRate: 1 });
    expect(tolerant.gate.passed).toBe(true);
    const fine = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 1 });
    expect(fine.gate.checks.find((c) => c.name === 'old-errors')).toMatchObject({ passed: true, actual: 0 });
  });
});
