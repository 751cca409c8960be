// A small, strict XML 1.0 reader for the JUnit tests: well-formedness
// (one root, matching tags, quoted attributes without '<', no duplicate
// attributes, only the five predefined entities and character references,
// no bare '&' or '<' in text, only characters XML 1.0 allows) and a tree of
// elements with decoded attribute values and text. No DTDs, no namespaces
// handling, no CDATA (the JUnit writer does not emit them; meeting one fails).

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Decoded text directly inside this element (concatenated). */
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
// Everything outside XML 1.0's Char production.
const NOT_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function decode(s: string, where: string): string {
  return s.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare '&' in ${where}`);
    if (ref === 'lt') return '<';
    if (ref === 'gt') return '>';
    if (ref === 'amp') return '&';
    if (ref === 'quot') return '"';
    if (ref === 'apos') return "'";
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (num) {
      const cp = parseInt(num[1]!, ref.startsWith('#x') ? 16 : 10);
      const ch = String.fromCodePoint(cp);
      if (NOT_CHAR.test(ch)) throw new Error(`character reference to a forbidden character ${m} in ${where}`);
      return ch;
    }
    throw new Error(`unknown entity ${m} in ${where}`);
  });
}

export function parseXml(xml: string): { declaration: Record<string, string>; root: XmlElement } {
  const bad = NOT_CHAR.exec(xml);
  if (bad) throw new Error(`forbidden character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${bad.index}`);
  let i = 0;
  const declaration: Record<string, string> = {};
  const decl = /^<\?xml\s+([^?]*)\?>/.exec(xml);
  if (decl) {
    for (const m of decl[1]!.matchAll(/([a-z]+)\s*=\s*"([^"]*)"/g)) declaration[m[1]!] = m[2]!;
    i = decl[0].length;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    const raw = xml.slice(i, textEnd);
    if (raw.includes(']]>')) throw new Error(`']]>' in text at ${i}`);
    if (raw.length > 0) {
      if (stack.length === 0) {
        if (raw.trim() !== '') throw new Error(`text outside the root element at ${i}`);
      } else {
        stack[stack.length - 1]!.text += decode(raw, `text at ${i}`);
      }
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<!', i) || xml.startsWith('<?', i)) throw new Error(`unsupported markup at ${i}: ${xml.slice(i, i + 20)}`);
    if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const after = i + 2 + m[0].length;
      const close = /^\s*>/.exec(xml.slice(after));
      if (!close) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`end tag </${m[0]}> does not match <${open?.name ?? '(none)'}> at ${i}`);
      i = after + close[0].length;
      continue;
    }
    const m = NAME.exec(xml.slice(i + 1));
    if (!m) throw new Error(`bare '<' or bad tag at ${i}`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
    i += 1 + m[0].length;
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0];
      i += ws.length;
      if (xml.startsWith('/>', i) || xml.startsWith('>', i)) break;
      if (ws.length === 0) throw new Error(`expected whitespace before attribute at ${i}`);
      const a = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i));
      if (!a) throw new Error(`bad attribute at ${i}: ${xml.slice(i, i + 30)}`);
      if (Object.prototype.hasOwnProperty.call(el.attrs, a[1]!)) throw new Error(`duplicate attribute ${a[1]} at ${i}`);
      // Attribute-value normalisation: literal whitespace becomes a space; references keep theirs.
      el.attrs[a[1]!] = decode((a[2] ?? a[3]!).replace(/[\t\n\r]/g, ' '), `attribute ${a[1]}`);
      i += a[0].length;
    }
    const selfClosing = xml.startsWith('/>', i);
    i += selfClosing ? 2 : 1;
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root) throw new Error(`second root element <${el.name}>`);
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return { declaration, root };
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
