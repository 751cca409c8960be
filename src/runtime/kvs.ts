/**
 * KeyValueStore snapshots in the AWS import format
 * `{"data":[{"key":"k","value":"v"}, ...]}`. Limits (reference §5): key <= 512
 * bytes, value <= 1 KB, whole store <= 5 MB (sum of key and value bytes).
 * Duplicate keys are rejected (an import would be ambiguous).
 */
import { readFileSync, statSync } from 'node:fs';
import { KvsFileError } from './errors.js';
import type { KvsSnapshot } from './types.js';
import { inputFileMessage } from '../util/input-file.js';

export const KVS_MAX_KEY_BYTES = 512;
export const KVS_MAX_VALUE_BYTES = 1024;
export const KVS_MAX_TOTAL_BYTES = 5 * 1024 * 1024;

/** Validate parsed JSON as a KVS import document. Throws KvsFileError with one clear line. */
export function parseKvsSnapshot(doc: unknown, source = 'inline', mtime?: Date): KvsSnapshot {
  const where = source;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray((doc as { data?: unknown }).data)) {
    throw new KvsFileError(`${where}: not a KeyValueStore import file (expected {"data":[{"key":"...","value":"..."}]})`);
  }
  const data = (doc as { data: unknown[] }).data;
  const entries = new Map<string, string>();
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    const item = data[i] as { key?: unknown; value?: unknown } | null;
    if (item === null || typeof item !== 'object' || typeof item.key !== 'string' || typeof item.value !== 'string') {
      throw new KvsFileError(`${where}: data[${i}] must be {"key": string, "value": string}`);
    }
    const kb = Buffer.byteLength(item.key, 'utf8');
    const vb = Buffer.byteLength(item.value, 'utf8');
    if (kb === 0) throw new KvsFileError(`${where}: data[${i}] has an empty key`);
    if (kb > KVS_MAX_KEY_BYTES) throw new KvsFileError(`${where}: data[${i}] key is ${kb} bytes (max ${KVS_MAX_KEY_BYTES})`);
    if (vb > KVS_MAX_VALUE_BYTES) throw new KvsFileError(`${where}: data[${i}] value of key "${item.key}" is ${vb} bytes (max ${KVS_MAX_VALUE_BYTES})`);
    if (entries.has(item.key)) throw new KvsFileError(`${where}: duplicate key "${item.key}" at data[${i}]`);
    total += kb + vb;
    if (total > KVS_MAX_TOTAL_BYTES) throw new KvsFileError(`${where}: store exceeds ${KVS_MAX_TOTAL_BYTES} bytes (5 MB)`);
    entries.set(item.key, item.value);
  }
  const iso = (mtime ?? new Date(0)).toISOString();
  return { source, entries, meta: { creationDateTime: iso, lastUpdatedDateTime: iso, keyCount: entries.size } };
}

/** Read and validate a KVS snapshot file. Throws KvsFileError (missing file, bad JSON, wrong format). */
export function loadKvsFile(path: string): KvsSnapshot {
  let text: string;
  let mtime: Date;
  try {
    text = readFileSync(path, 'utf8');
    mtime = statSync(path).mtime;
  } catch (e) {
    throw new KvsFileError(inputFileMessage(path, e, 'KVS file'));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new KvsFileError(`${path}: KVS file is not valid JSON (${(e as Error).message})`);
  }
  return parseKvsSnapshot(doc, path, mtime);
}
