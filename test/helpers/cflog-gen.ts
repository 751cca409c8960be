/**
 * A CloudFront standard log with everything a parser can trip on, generated
 * from a seed: malformed lines (field count, time), RTMP lines, CRLF and
 * blank lines, a trailing tab, raw UTF-8, bad and IPv6 addresses, status 000,
 * invalid methods, an over-long URL, and halfway a second `#Fields` header
 * with another field list (concatenated logs).
 */
const FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const SHORT_FIELDS = 'date time c-ip cs-method cs-uri-stem sc-status cs(User-Agent) cs-uri-query';

export interface MessyLogOptions {
  lines: number;
  seed?: number;
  /** Start with a UTF-8 byte order mark. */
  bom?: boolean;
  /** End without a final line break. */
  noFinalNewline?: boolean;
}

export function messyCflog(options: MessyLogOptions): string {
  let rnd = options.seed ?? 7;
  const next = (n: number) => {
    rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
    return (rnd >>> 8) % n;
  };
  const pick = <T>(list: readonly T[]): T => list[next(list.length)]!;
  const out: string[] = ['#Version: 1.0', `#Fields: ${FIELDS}`];
  const half = Math.floor(options.lines / 2);
  for (let i = 0; i < options.lines; i++) {
    if (i === half) out.push('#Version: 1.0', `#Fields: ${SHORT_FIELDS}`);
    const sec = String(i % 60).padStart(2, '0');
    if (i >= half) {
      out.push(['2024-05-02', `11:00:${sec}`, `203.0.113.${i % 255}`, pick(['GET', 'HEAD', '-']), `/second/${i}`, pick(['200', '304', '000']), `agent%20${i % 7}`, i % 3 ? '-' : 'k=v'].join('\t'));
      continue;
    }
    const r = next(1000);
    const time = r < 15 ? '25:99:xx' : `10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${sec}`;
    const stem = r > 985 ? 'rtmp://media/stream' : r === 500 ? `/${'z'.repeat(9000)}` : pick(['/', '/a%20b', '/x?y=1', '/p/%E2%82%AC', '-', '/q', '/caf\u00e9']);
    const fields = [
      '2024-05-01',
      time,
      'FRA56-P1',
      '1000',
      pick(['198.51.100.1', '::ffff:10.0.0.1', '2001:db8::1', 'not-an-ip', '-', '10.1.2.3', '01.2.3.4']),
      pick(['GET', 'POST', '-', 'HEAD', 'BAD METHOD', 'get']),
      pick(['d1.cloudfront.net', '-']),
      stem,
      pick(['200', '404', '000', '301', '-', '2x0', '101']),
      pick(['-', 'https://ref.example/', 'https%3A%2F%2Fe.com%2F', 'https://r\u00e9f.example/']),
      pick(['Mozilla/5.0%20(X11)', 'Mozilla%252F5.0%2520(Windows)', 'curl/8.0', '-', 'caf%C3%A9%20agent', 'bad%ZZescape%E2%82']),
      pick(['-', 'a=1&b=2', 'a&a=&a=3', 'x=%2520y', '%ZZ', 'q=caf%C3%A9']),
      pick(['-', 'a=1;%20b=2', `session=s${next(50)};%20session=def`, '=x;%20y']),
      'Hit',
      `req${i}==`,
      pick(['www.example.com', '-', 'EXAMPLE.com:8443', '[::1]:443']),
      pick(['https', 'http', 'ws', '-', 'ftp']),
      '300',
      '0.001',
      pick(['-', '1.2.3.4', '1.2.3.4,%205.6.7.8']),
      'TLSv1.3',
      'TLS_AES_128_GCM_SHA256',
      'Hit',
      'HTTP/2.0',
      '-',
      '-',
      '443',
      '0.001',
      'Hit',
      pick(['-', 'text/html;%20charset=utf-8', 'image/png']),
      pick(['-', '123', 'abc', '0']),
      '-',
      '-',
    ];
    if (r >= 600 && r < 620) fields.length -= 3;
    let line = fields.join('\t');
    if (r >= 700 && r < 720) line += '\t';
    if (r >= 800 && r < 830) line += '\r';
    out.push(line);
    if (r >= 900 && r < 910) out.push('');
  }
  const text = out.join('\n') + (options.noFinalNewline ? '' : '\n');
  return (options.bom ? '\ufeff' : '') + text;
}
