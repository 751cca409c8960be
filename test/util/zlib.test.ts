// Every node:zlib call that makes a handle goes through util/zlib.ts (inside the thread's
// termination gate), and every worker termination through util/termination-gate.ts: a
// thread terminated inside a zlib constructor aborts the process (termination-gate.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, deflateSync as nodeDeflate, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WORKER_SCRIPTS, type WorkerScriptEntry } from '../../src/util/worker-scripts.js';
import { brotliCompress, brotliDecompressSync, createGunzip, deflateSync, gunzipSync, inflateSync } from '../../src/util/zlib.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

describe('zlib through the termination gate', () => {
  it('no module but util/zlib.ts imports node:zlib, except for crc32 and constants (no handle)', () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      const name = relative(SRC, file);
      if (name === 'util/zlib.ts') continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/import\s+([^;]*?)\s+from\s+'(?:node:)?zlib'/g)) {
        const names = /^\{([^}]*)\}$/.exec(m[1]!.trim());
        const ok = names !== null && names[1]!.split(',').every((n) => ['crc32', 'constants'].includes(n.trim()));
        if (!ok) offenders.push(`${name}: ${m[0]}`);
      }
      if (/require\(\s*'(?:node:)?zlib'\s*\)|import\(\s*'(?:node:)?zlib'\s*\)/.test(text)) offenders.push(`${name}: loads zlib dynamically`);
    }
    expect(offenders).toEqual([]);
  });

  it('no module terminates a worker but util/termination-gate.ts', () => {
    const offenders = sources(SRC)
      .filter((f) => relative(SRC, f) !== 'util/termination-gate.ts')
      .filter((f) => /\.terminate\(\)/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it("every worker thread's script installs its gate (directly, or through its call clock)", () => {
    for (const [name, entry] of Object.entries(WORKER_SCRIPTS) as [string, WorkerScriptEntry][]) {
      if (entry.loadedBy !== undefined) continue; // runs in the thread of another entry
      const text = readFileSync(join(SRC, entry.dist.replace(/\.js$/, '.ts')), 'utf8');
      expect(/useTerminationGate\(|new CallClock\(/.test(text), name).toBe(true);
    }
  });

  it('the gated calls give what node:zlib gives (on a thread with no gate they simply run)', async () => {
    const text = Buffer.from('cfreplay '.repeat(500));
    expect(brotliDecompressSync(brotliCompressSync(text)).equals(text)).toBe(true);
    expect(brotliDecompressSync(await brotliCompress(text, {})).equals(text)).toBe(true);
    expect(gunzipSync(gzipSync(text)).equals(text)).toBe(true);
    expect(inflateSync(deflateSync(text)).equals(text)).toBe(true);
    expect(deflateSync(text).equals(nodeDeflate(text))).toBe(true);
    const gunzip = createGunzip();
    const parts: Buffer[] = [];
    gunzip.on('data', (b: Buffer) => parts.push(b));
    await new Promise((resolve) => gunzip.on('end', resolve).end(gzipSync(text)));
    expect(Buffer.concat(parts).equals(text)).toBe(true);
    await expect(brotliCompress(text, { params: { 99999: 1 } })).rejects.toThrow();
  });
});
