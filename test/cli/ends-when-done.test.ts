import { describe, expect, it } from 'vitest';
import { endsWhenDone } from '../../src/cli/main.js';

describe('endsWhenDone (bin/cfreplay ends the process once main() resolves)', () => {
  it('holds for a replay on local workers (a Redis corpus too), not for a distributed one', () => {
    expect(endsWhenDone(['replay', '--old', 'a.js', '--new', 'b.js', '--corpus', 'c.cfr'])).toBe(true);
    expect(endsWhenDone(['replay', '--old', 'a.js', '--new', 'b.js', '--corpus', 'redis://h/0#c'])).toBe(true);
    expect(endsWhenDone(['replay', '--old', 'a.js', '--new', 'b.js', '--corpus', 'redis://h/0#c', '--distributed'])).toBe(false);
    expect(endsWhenDone(['replay', '--old', 'a.js', '--new', 'b.js', '--corpus', 'redis://h/0#c', '--distributed', '--resume', 'r1'])).toBe(false);
    expect(endsWhenDone(['replay', '--help'])).toBe(false);
  });

  it('not for commands that may leave a server or a worker running, nor when no command is named', () => {
    expect(endsWhenDone(['record', 'proxy', '--listen', '127.0.0.1:8080', '--target', 'http://o', '-o', 'x.cfr'])).toBe(false);
    expect(endsWhenDone(['worker', 'redis://127.0.0.1:6379/0'])).toBe(false);
    expect(endsWhenDone(['run', 'f.js', '--event', '-'])).toBe(false);
    expect(endsWhenDone(['--help'])).toBe(false);
    expect(endsWhenDone([])).toBe(false);
  });
});
