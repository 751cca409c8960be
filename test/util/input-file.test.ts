// One wording for an input file that cannot be read, whichever reader meets it.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputFileMessage } from '../../src/util/input-file.js';
import { useTempDir } from '../helpers/tmp.js';

/** The message for what reading `path` really fails with. */
function failure(path: string, what: string): string | undefined {
  try {
    readFileSync(path, 'utf8');
  } catch (e) {
    return inputFileMessage(path, e, what);
  }
  return undefined;
}

describe('input files', () => {
  const tmp = useTempDir();

  it('names the path and what was expected, one line', () => {
    const missing = join(tmp.path, 'nope.har');
    expect(failure(missing, 'HAR file')).toBe(`${missing}: HAR file not found`);
    const dir = join(tmp.path, 'd');
    mkdirSync(dir);
    expect(failure(dir, 'event file')).toBe(`${dir}: is a directory, expected an event file`);
    expect(failure(dir, 'KVS file')).toBe(`${dir}: is a directory, expected a KVS file`);
    expect(inputFileMessage('x.json', Object.assign(new Error('EACCES'), { code: 'EACCES' }), 'JSON report')).toBe('x.json: permission denied, cannot read the JSON report');
    expect(inputFileMessage('x.json', Object.assign(new Error('EIO'), { code: 'EIO' }), 'JSON report')).toBe('x.json: cannot read the JSON report (EIO)');
  });
});
