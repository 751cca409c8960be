/**
 * `n.toLocaleString('en-US')` for a whole number: its digits in groups of three with commas
 * ("1,234,567"). The first toLocaleString of a process loads ICU's locale data (~10 ms of CPU:
 * a third of the terminal summary printed at the end of every replay); a safe integer is
 * grouped here instead, with the same result. Anything else (a fraction, -0, NaN, Infinity,
 * past 2^53) is left to toLocaleString.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(n);
  const sign = n < 0 ? '-' : '';
  const abs = sign === '' ? digits : digits.slice(1);
  let out = abs.slice(0, ((abs.length - 1) % 3) + 1);
  for (let i = out.length; i < abs.length; i += 3) out += `,${abs.slice(i, i + 3)}`;
  return sign + out;
}
