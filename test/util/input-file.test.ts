// One wording for an input file that cannot be read, whichever reader meets it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputFileMessage, readInputText } from '../../src/util/input-file.js';
import { userErrorMessage } from '../../src/util/user-error.js';
import { useTempDir } from '../helpers/tmp.js';

function failure(path: string, what: string): string | undefined {
  try {
    readInputText(path, what);
  } catch (e) {
    return userErrorMessage(e);
  }
  return undefined;
}

describe('input files', () => {
  const tmp = useTempDir();

  it('reads the text of a file', () => {
    const p = join(tmp.path, 'f.js');
    writeFileSync(p, 'function handler(e) { return e.request; }\n');
    expect(readInputText(p, 'function file')).toContain('handler');
  });

  it('names the path and what was expected, one line, as a user error', () => {
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
