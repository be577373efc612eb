// A small namespace-aware XML reader and a deterministic writer for NETCONF.
// Own code rather than a generic npm parser because NETCONF needs three things
// those get wrong by default: leaf values stay exactly as sent ("007" is not
// 7), namespaces are resolved (the same element may arrive prefixed or not),
// and the output is canonical so that a plan diff of device content is stable.
// DTDs are refused: a device has no business sending entity declarations.

export const NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0";
const XML_NS = "http://www.w3.org/XML/1998/namespace";

export interface XmlAttribute {
  /** resolved namespace, "" for an unprefixed attribute */
  ns: string;
  local: string;
  /** prefix as written, kept so that attributes in a namespace can be written back */
  prefix: string;
  value: string;
}

export interface XmlElement {
  kind: "element";
  /** resolved namespace, "" when none is in scope */
  ns: string;
  local: string;
  attrs: XmlAttribute[];
  /**
   * prefixed namespace declarations written on this element. Kept because
   * values of YANG identityref / instance-identifier leaves are QNames that
   * refer to them; default-namespace declarations are recomputed on output.
   */
  prefixes: Array<{ prefix: string; uri: string }>;
  children: XmlNode[];
}

export interface XmlText {
  kind: "text";
  text: string;
}

export type XmlNode = XmlElement | XmlText;

export class XmlError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at character ${offset})`);
    this.name = "XmlError";
  }
}

const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]/;

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

interface RawAttribute {
  qname: string;
  value: string;
}

/** Parses one XML document and returns its root element. */
export function parseXml(source: string): XmlElement {
  return new Reader(source).document();
}

class Reader {
  private pos = 0;
  constructor(private readonly s: string) {}

  document(): XmlElement {
    if (this.s.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.misc();
    if (this.s[this.pos] !== "<") this.fail("expected the root element");
    const root = this.element(new Map([["xml", XML_NS], ["", ""]]));
    this.misc();
    if (this.pos < this.s.length) this.fail("content after the root element");
    return root;
  }

  private fail(message: string): never {
    throw new XmlError(message, this.pos);
  }

  /** whitespace, comments, processing instructions (before/after the root) */
  private misc(): void {
    for (;;) {
      this.skipSpace();
      if (this.s.startsWith("<?", this.pos)) this.skipPast("?>");
      else if (this.s.startsWith("<!--", this.pos)) this.skipPast("-->");
      else if (this.s.startsWith("<!", this.pos)) this.fail("DOCTYPE and declarations are not accepted");
      else return;
    }
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos] as string)) this.pos++;
  }

  private skipPast(terminator: string): string {
    const end = this.s.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated construct, expected ${terminator}`);
    const inner = this.s.slice(this.pos, end);
    this.pos = end + terminator.length;
    return inner;
  }

  private name(): string {
    const start = this.pos;
    if (!NAME_START.test(this.s[this.pos] ?? "")) this.fail("expected a name");
    this.pos++;
    while (this.pos < this.s.length && (NAME_CHAR.test(this.s[this.pos] as string) || this.s[this.pos] === ":")) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private element(scope: Map<string, string>): XmlElement {
    this.pos++; // "<"
    const qname = this.name();
    const raw: RawAttribute[] = [];
    let selfClosing = false;
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.s[this.pos];
      if (c === undefined) this.fail("unterminated start tag");
      if (c === ">") {
        this.pos++;
        break;
      }
      if (c === "/" && this.s[this.pos + 1] === ">") {
        this.pos += 2;
        selfClosing = true;
        break;
      }
      if (before === this.pos) this.fail("expected whitespace before an attribute");
      const aname = this.name();
      this.skipSpace();
      if (this.s[this.pos] !== "=") this.fail("expected '=' after an attribute name");
      this.pos++;
      this.skipSpace();
      const quote = this.s[this.pos];
      if (quote !== '"' && quote !== "'") this.fail("expected a quoted attribute value");
      this.pos++;
      const end = this.s.indexOf(quote, this.pos);
      if (end < 0) this.fail("unterminated attribute value");
      const rawValue = this.s.slice(this.pos, end);
      if (rawValue.includes("<")) this.fail("'<' in an attribute value");
      const valueStart = this.pos;
      this.pos = end + 1;
      if (raw.some((a) => a.qname === aname)) this.fail(`duplicate attribute ${aname}`);
      raw.push({ qname: aname, value: decodeEntities(rawValue, valueStart) });
    }

    const inner = new Map(scope);
    const prefixes: Array<{ prefix: string; uri: string }> = [];
    for (const a of raw) {
      if (a.qname === "xmlns") inner.set("", a.value);
      else if (a.qname.startsWith("xmlns:")) {
        const prefix = a.qname.slice(6);
        inner.set(prefix, a.value);
        prefixes.push({ prefix, uri: a.value });
      }
    }
    const [prefix, local] = splitQName(qname);
    const ns = inner.get(prefix);
    if (ns === undefined) this.fail(`undeclared namespace prefix '${prefix}'`);
    const attrs: XmlAttribute[] = [];
    for (const a of raw) {
      if (a.qname === "xmlns" || a.qname.startsWith("xmlns:")) continue;
      const [ap, al] = splitQName(a.qname);
      // unprefixed attributes are in no namespace (not the default one)
      const ans = ap === "" ? "" : inner.get(ap);
      if (ans === undefined) this.fail(`undeclared namespace prefix '${ap}'`);
      attrs.push({ ns: ans, local: al, prefix: ap, value: a.value });
    }
    const el: XmlElement = { kind: "element", ns, local, attrs, prefixes, children: [] };
    if (selfClosing) return el;

    let text = "";
    const flush = () => {
      if (text !== "") el.children.push({ kind: "text", text });
      text = "";
    };
    for (;;) {
      const lt = this.s.indexOf("<", this.pos);
      if (lt < 0) this.fail(`unterminated element <${qname}>`);
      if (lt > this.pos) {
        const chunk = this.s.slice(this.pos, lt);
        if (chunk.includes("]]>")) this.fail("']]>' in text content");
        text += decodeEntities(chunk, this.pos);
        this.pos = lt;
      }
      if (this.s.startsWith("</", this.pos)) {
        this.pos += 2;
        const closing = this.name();
        this.skipSpace();
        if (this.s[this.pos] !== ">") this.fail("expected '>' in an end tag");
        this.pos++;
        if (closing !== qname) this.fail(`</${closing}> does not close <${qname}>`);
        flush();
        return el;
      }
      if (this.s.startsWith("<![CDATA[", this.pos)) {
        this.pos += 9;
        text += this.skipPast("]]>");
      } else if (this.s.startsWith("<!--", this.pos)) {
        this.skipPast("-->");
      } else if (this.s.startsWith("<?", this.pos)) {
        this.skipPast("?>");
      } else if (this.s.startsWith("<!", this.pos)) {
        this.fail("declarations are not accepted inside an element");
      } else {
        flush();
        el.children.push(this.element(inner));
      }
    }
  }
}

function splitQName(qname: string): [string, string] {
  const colon = qname.indexOf(":");
  return colon < 0 ? ["", qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function decodeEntities(raw: string, offset: number): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, ref: string, at: number) => {
    if (!match.endsWith(";")) throw new XmlError("unterminated entity reference", offset + at);
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      const valid = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.test(ref) && code > 0 && code <= 0x10ffff;
      if (!valid) throw new XmlError(`bad character reference &${ref};`, offset + at);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlError(`unknown entity &${ref};`, offset + at);
    return value;
  });
}

export function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

// ───────────────────────── navigation ─────────────────────────

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === "element");
}

/** the first child element with this local name (and namespace, when given) */
export function child(el: XmlElement, local: string, ns?: string): XmlElement | undefined {
  return childElements(el).find((c) => c.local === local && (ns === undefined || c.ns === ns));
}

/** the text content of an element, all descendant text joined */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.kind === "text" ? c.text : textOf(c))).join("");
}

export function attr(el: XmlElement, local: string, ns = ""): string | undefined {
  return el.attrs.find((a) => a.local === local && a.ns === ns)?.value;
}

/** true for an element that holds element children (whitespace text between them is layout) */
function isStructural(el: XmlElement): boolean {
  return el.children.some((c) => c.kind === "element");
}

// ───────────────────────── writing ─────────────────────────

export interface WriteOptions {
  /** indent by two spaces per level, one element per line (canonical form); false: compact */
  pretty: boolean;
}

/**
 * Deterministic serialization: element names unprefixed with a default
 * namespace declared where it changes, prefixed declarations kept (sorted),
 * attributes sorted, layout whitespace between elements dropped, leaf text
 * kept exactly.
 */
export function writeXml(root: XmlElement, options: WriteOptions = { pretty: true }): string {
  const out: string[] = [];
  write(root, null, 0, options.pretty, out);
  return out.join(options.pretty ? "\n" : "");
}

function write(el: XmlElement, parentNs: string | null, depth: number, pretty: boolean, out: string[]): void {
  const indent = pretty ? "  ".repeat(depth) : "";
  let head = `<${el.local}`;
  if (el.ns !== parentNs && !(parentNs === null && el.ns === "")) head += ` xmlns="${escapeAttr(el.ns)}"`;
  const declared = new Map<string, string>();
  for (const p of [...el.prefixes].sort((a, b) => cmp(a.prefix, b.prefix))) declared.set(p.prefix, p.uri);
  const attrs = [...el.attrs].sort((a, b) => cmp(a.ns, b.ns) || cmp(a.local, b.local));
  for (const a of attrs) {
    if (a.ns === "" || a.ns === XML_NS) continue;
    // an attribute in a namespace needs a prefix bound here (the declaration may have been on an ancestor)
    if (declared.get(a.prefix) !== a.ns) declared.set(a.prefix || "ns", a.ns);
  }
  for (const [prefix, uri] of declared) head += ` xmlns:${prefix}="${escapeAttr(uri)}"`;
  for (const a of attrs) {
    const name = a.ns === "" ? a.local : a.ns === XML_NS ? `xml:${a.local}` : `${a.prefix || "ns"}:${a.local}`;
    head += ` ${name}="${escapeAttr(a.value)}"`;
  }
  if (isStructural(el)) {
    out.push(`${indent}${head}>`);
    for (const c of childElements(el)) write(c, el.ns, depth + 1, pretty, out);
    out.push(`${indent}</${el.local}>`);
    return;
  }
  const text = textOf(el);
  out.push(text === "" ? `${indent}${head}/>` : `${indent}${head}>${escapeText(text)}</${el.local}>`);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ───────────────────────── comparison ─────────────────────────

/**
 * A form of the tree in which the order of siblings does not count, except
 * among entries of ordered-by-user lists (named in `orderedByUser`). Without
 * the schema at hand a server is free to return system-ordered list entries
 * and sibling leaves in its own order (netconfd returns schema order), so a
 * read-back is compared in this form.
 */
export function semanticKey(el: XmlElement, orderedByUser: ReadonlySet<string>): string {
  const attrs = el.attrs
    .filter((a) => !(a.ns === NC_NS && a.local === "operation"))
    .map((a) => `@{${a.ns}}${a.local}=${JSON.stringify(a.value)}`)
    .sort();
  const name = `{${el.ns}}${el.local}`;
  if (!isStructural(el)) return `${name}${attrs.join("")}=${JSON.stringify(textOf(el))}`;
  const kids = childElements(el);
  // one group per element name: same-named siblings are entries of one list (or leaf-list)
  const groups = new Map<string, string[]>();
  for (const k of kids) {
    const g = `{${k.ns}}${k.local}`;
    const list = groups.get(g) ?? [];
    list.push(semanticKey(k, orderedByUser));
    groups.set(g, list);
  }
  const parts = [...groups.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([g, entries]) => {
      const local = g.slice(g.indexOf("}") + 1);
      return orderedByUser.has(local) ? entries.join(",") : [...entries].sort().join(",");
    });
  return `${name}${attrs.join("")}(${parts.join(",")})`;
}
