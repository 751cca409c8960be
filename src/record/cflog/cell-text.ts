/**
 * A field of a CloudFront standard log v2 record given as a typed value (a
 * JSON value, a Parquet cell) to the text the same field has in a log line,
 * so v2 records go through the one line parser (cflog-lines.ts) and give the
 * same events as the legacy log of the same request.
 *
 * AWS documents one field list for standard logging (legacy and v2) and does
 * not say that the JSON or Parquet output changes the values, so the values
 * are taken as written in the legacy log (URL-encoded, "-" for empty) and
 * decoded once like it. Typed values are turned into that text: a number or
 * a 64-bit integer in decimal, a Parquet DATE as YYYY-MM-DD for `date`, a
 * time of day as HH:MM:SS for `time`, any other timestamp as epoch
 * milliseconds (what `timestamp(ms)` holds); null is a missing field. A
 * numeric `sc-status` is written with three digits, so 0 is the "000" the
 * text log has for a viewer that left before the answer.
 */

/** The field text, or undefined when the record has no value there. */
export function cellText(name: string, v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (!Number.isFinite(v)) return undefined;
      return name === 'sc-status' ? String(v).padStart(3, '0') : String(v);
    case 'bigint':
      return name === 'sc-status' ? String(v).padStart(3, '0') : String(v);
    case 'boolean':
      return String(v);
    case 'object':
      if (v instanceof Date) {
        const t = v.getTime();
        if (Number.isNaN(t)) return undefined;
        const iso = v.toISOString();
        if (name === 'date') return iso.slice(0, 10);
        if (name === 'time') return iso.slice(11, 19);
        return String(t);
      }
      return undefined;
    default:
      return undefined;
  }
}
