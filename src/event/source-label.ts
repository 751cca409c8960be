/**
 * Where a recorded event came from, for people reading a report: the test
 * case name when there is one, then the file and line (JSON lines files,
 * 1-based) or entry index (0-based: a HAR entry, an element of a JSON array,
 * a proxy exchange): `blocks curl (cases/bot.jsonl:12)`, `capture.har#41`.
 */
import type { EventSource } from './types.js';

const LINE_FILES = /\.(jsonl|ndjson)(\.gz)?$/i;

export function sourceLabel(src: EventSource): string {
  const where = LINE_FILES.test(src.file) ? `${src.file}:${src.entry + 1}` : `${src.file}#${src.entry}`;
  return src.name !== undefined ? `${src.name} (${where})` : where;
}
