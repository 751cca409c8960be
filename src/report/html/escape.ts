/** HTML escaping for text and attribute values (double- or single-quoted). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&`
 * (which JSON only has inside strings) become \u escapes, so no `</script>`,
 * `<!--` or `<script` can appear in the element's text; U+2028/2029 too, for
 * good measure. JSON.parse of the element's textContent gives the value back.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
