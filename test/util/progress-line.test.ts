import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/util/progress-line.js';

/** What a terminal stream receives (ProgressLine writes \r, the text and an erase-to-end). */
function terminal(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { columns: 80, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('ProgressLine', () => {
  it('formats a lazy text only when it writes the line', () => {
    const { stream, written } = terminal();
    let calls = 0;
    const text = () => `step ${++calls}`;
    // Disabled: never formatted.
    const off = new ProgressLine(stream, false, 0, 0);
    off.update(text);
    expect(calls).toBe(0);
    // Within the delay before the first line: not formatted.
    const later = new ProgressLine(stream, true, 60_000, 0);
    later.update(text);
    expect(calls).toBe(0);
    // Shown: formatted once per written line, not for the updates the interval drops.
    const on = new ProgressLine(stream, true, 0, 60_000);
    on.update(text);
    on.update(text);
    on.update(text);
    expect(calls).toBe(1);
    expect(written).toEqual(['\rstep 1\x1b[K']);
    on.clear();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('cuts a line wider than the terminal', () => {
    const { stream, written } = terminal();
    new ProgressLine(stream, true, 0, 0).update('x'.repeat(200));
    expect(written[0]).toBe(`\r${'x'.repeat(79)}\x1b[K`);
  });
});
