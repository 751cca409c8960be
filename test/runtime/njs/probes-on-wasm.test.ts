/**
 * The probe table (../njs-probes.ts) on the njs engine compiled to WebAssembly:
 * njs 0.7.12 for cloudfront-js-1.0 (`v1`), njs 0.8.10 for cloudfront-js-2.0 (`v2`,
 * which this file pins: Debian's 0.7.9 cannot). With njs-parity.test.ts (Debian's
 * njs) and njs-surface.test.ts (the V8 sandbox), every probe is checked on three
 * engines; where one differs on purpose the probe says so (`known`), and the
 * README's fidelity notes list it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNjsFunction } from '../../../src/runtime/njs/loader.js';
import { NjsInstance } from '../../../src/runtime/njs/engine.js';
import { describeProbeTable, gateAccepts, njsAccepts, PROBE_RUNTIMES, PROBES, SYNTAX_HANDLER, SYNTAX_PROBES } from '../njs-probes.js';

const RUNTIMES = PROBE_RUNTIMES;

describeProbeTable('wasm', (source, runtime) => loadNjsFunction(source, { runtime, filename: 'probes.js' }));

describe.each(RUNTIMES)("%s: syntax probes on the njs engine's own parser", (runtime, key) => {
  const inst = new NjsInstance(runtime); // one instance: each load replaces the previous program
  it.each(SYNTAX_PROBES.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    const err = inst.load(p.code + SYNTAX_HANDLER);
    if (err !== null) expect(err).toMatch(/^SyntaxError: /);
    expect(err === null).toBe(njsAccepts(p, key));
    // The gate (both engines) never lets through what njs refuses.
    if (!njsAccepts(p, key)) expect(gateAccepts(p, key)).toBe(false);
  });
});

describe('known differences are listed in the README fidelity notes', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const notes = readme.slice(readme.indexOf('## Fidelity notes'), readme.indexOf('## The njs engine'));
  const listed = PROBES.filter((p) => p.known !== undefined);
  it.each(listed.map((p) => [p.name, p] as const))('%s', (name, p) => {
    // A row of the table names the probe in backticks ("(probe: `name`)" or "(probes: `a`, `b`)") and the engines that differ.
    const row = notes.split('\n').find((l) => l.startsWith('|') && /\(probes?: /.test(l) && l.includes(`\`${name}\``));
    expect(row, `README row for probe ${name}`).toBeDefined();
    for (const k of p.known!) expect(row).toContain({ v8: 'V8 sandbox', wasm: 'njs engine', debian: "Debian's njs" }[k.engine]);
  });
});
