// NETCONF artifacts: a top-level subtree ("netconf:/acls") that scconf owns
// and replaces whole. Pure helpers shared by the driver and by whoever needs
// the same canonical text (the plan diff must compare like with like).
import { NC_NS, childElements, parseXml, semanticKey, textOf, writeXml, type XmlElement } from "./xml.js";

/** namespaces of the top-level containers scconf may own, by element name */
export const DEFAULT_NAMESPACES: Readonly<Record<string, string>> = { acls: "urn:scconf:acl" };

/** local names of ordered-by-user lists in the owned modules: their entry order is meaningful */
export const DEFAULT_ORDERED_BY_USER: readonly string[] = ["ace"];

export interface SubtreeLocator {
  /** the top element's local name */
  local: string;
  ns: string;
}

/** "netconf:/acls" -> { local: "acls", ns } ; anything deeper or unknown is refused */
export function parseNetconfPath(path: string, namespaces: Readonly<Record<string, string>>): SubtreeLocator {
  const m = /^netconf:\/([A-Za-z_][A-Za-z0-9_.-]*)$/.exec(path);
  if (!m || m[1] === undefined) throw new Error(`'${path}' is not a NETCONF artifact path (expected netconf:/<top-level container>)`);
  const ns = namespaces[m[1]];
  if (ns === undefined) throw new Error(`no namespace is known for the NETCONF container '${m[1]}' (known: ${Object.keys(namespaces).join(", ")})`);
  return { local: m[1], ns };
}

/** the subtree filter that selects exactly this container */
export function subtreeFilter(loc: SubtreeLocator): string {
  return `<${loc.local} xmlns="${loc.ns}"/>`;
}

/** parses an artifact's content and checks that its root is the located container */
export function parseArtifactContent(content: string, loc: SubtreeLocator): XmlElement {
  const root = parseXml(content);
  if (root.local !== loc.local || root.ns !== loc.ns) {
    throw new Error(`the artifact's root is {${root.ns}}${root.local}, expected {${loc.ns}}${loc.local}`);
  }
  return root;
}

/** an element with no child elements and no text stands for an absent container */
export function isEmptyElement(el: XmlElement): boolean {
  return childElements(el).length === 0 && textOf(el).trim() === "";
}

/** canonical text of a subtree (ends with a newline, like every artifact), or null when it is absent or empty */
export function canonicalSubtree(el: XmlElement | undefined): string | null {
  if (!el || isEmptyElement(el)) return null;
  return `${writeXml(withoutOperation(el), { pretty: true })}\n`;
}

/**
 * The canonical text of rendered XML content, so that a plan compares the
 * rendered artifact with what fetch() returns in the same form.
 */
export function canonicalXml(content: string): string | null {
  return canonicalSubtree(parseXml(content));
}

/** a copy of the subtree without nc:operation attributes (those belong to an edit, not to the data) */
export function withoutOperation(el: XmlElement): XmlElement {
  return {
    ...el,
    attrs: el.attrs.filter((a) => !(a.ns === NC_NS && a.local === "operation")),
    children: el.children.map((c) => (c.kind === "element" ? withoutOperation(c) : c)),
  };
}

/** the subtree marked to replace the container on the device whole */
export function asReplace(el: XmlElement): XmlElement {
  const attrs = el.attrs.filter((a) => !(a.ns === NC_NS && a.local === "operation"));
  attrs.push({ ns: NC_NS, local: "operation", prefix: "nc", value: "replace" });
  return { ...el, attrs };
}

/** same configuration, irrespective of layout, prefixes and the order of system-ordered siblings */
export function sameSubtree(a: XmlElement | undefined, b: XmlElement | undefined, orderedByUser: ReadonlySet<string>): boolean {
  const absentA = !a || isEmptyElement(a);
  const absentB = !b || isEmptyElement(b);
  if (absentA || absentB) return absentA && absentB;
  return semanticKey(a, orderedByUser) === semanticKey(b, orderedByUser);
}

/** the same comparison on artifact texts (null = absent), for a plan that wants to ignore layout and system order */
export function sameXmlContent(a: string | null, b: string | null, orderedByUser: readonly string[] = DEFAULT_ORDERED_BY_USER): boolean {
  return sameSubtree(a === null ? undefined : parseXml(a), b === null ? undefined : parseXml(b), new Set(orderedByUser));
}
