// One duration parser for every flag (--duration, --timeout, --run-ttl, --reclaim-after, --exit-when-idle): milliseconds out.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/util/duration.js';
import { userErrorMessage } from '../../src/util/user-error.js';

describe('parseDuration', () => {
  it('gives milliseconds for every unit; a bare number is seconds', () => {
    expect(parseDuration('500ms', '--x')).toBe(500);
    expect(parseDuration('1.5s', '--x')).toBe(1500);
    expect(parseDuration(' 10m ', '--x')).toBe(600_000);
    expect(parseDuration('24h', '--x')).toBe(86_400_000);
    expect(parseDuration('7d', '--x')).toBe(604_800_000);
    expect(parseDuration('90', '--x')).toBe(90_000);
    expect(parseDuration(2, '--x')).toBe(2000);
  });

  it('refuses anything else in one line naming the flag (a user error)', () => {
    for (const bad of ['soon', '-5s', '10 minutes', '', '1e3s']) {
      let caught: unknown;
      try {
        parseDuration(bad, '--run-ttl');
      } catch (e) {
        caught = e;
      }
      expect(userErrorMessage(caught), bad).toBe(`--run-ttl: "${bad}" is not a duration (e.g. 90s, 10m, 1h)`);
    }
    expect(() => parseDuration('0s', '--timeout')).toThrow('--timeout: "0s" must be more than zero');
    expect(() => parseDuration(0, '--timeout')).toThrow('must be more than zero');
  });
});
