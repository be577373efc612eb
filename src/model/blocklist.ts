// The blocks in force: the prefecture's policy blocklist (cloud.yaml) and the
// NOC's emergency blocks (emergency.yaml, written by `scconf block`), read
// through one function so that every renderer sees the same list.
//
// Expiry: cloud.yaml gives a date; an emergency block gives an instant
// (`--expires 72h` becomes one). Rendering works by day (`today` in the
// cloud's time zone), so an instant counts as the date it falls on in that
// time zone, rounded up: the block is in force through that whole day and
// the first render on a later day leaves it out.
import { embeddedIPv4, parsePrefix, type Prefix } from "./net.js";
import { isActive } from "./resolve.js";
import type { Inventory } from "./types.js";
import { toAsciiDomain } from "./values.js";

export type BlockTarget =
  /** `embedded`: the target was written as an IPv6 prefix that embeds IPv4 (::ffff:a.b.c.d); `prefix` is then its IPv4 form */
  | { kind: "prefix"; prefix: Prefix; text: string; embedded?: { written: string; form: string } }
  | { kind: "domain"; domain: string; text: string }
  /** `domain` is the URL's host: DNS refuses the whole name, the URL filter matches the URL */
  | { kind: "url"; url: string; domain: string; text: string };

/** What a URL target may contain: no spaces, quotes, backslashes, or characters that end a statement in some dialect. */
const URL_CHARS = /^[A-Za-z0-9._~:/?=&%+,@!*()[\]-]+$/;

/**
 * Classifies a block target: an address or CIDR prefix, a domain, or an
 * http(s) URL whose host is a domain. The text is canonical (prefix as
 * CIDR, domain as punycode, URL with lower-case scheme and host).
 */
export function parseBlockTarget(text: string): BlockTarget | undefined {
  const p = parsePrefix(text);
  if (p.ok) {
    // every guard compares per family: it must see the IPv4 the IPv6 form stands for
    const e = embeddedIPv4(p.prefix);
    if (e) return { kind: "prefix", prefix: e.v4, text: e.v4.text, embedded: { written: text, form: e.form } };
    return { kind: "prefix", prefix: p.prefix, text: p.prefix.text };
  }
  const m = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(text);
  if (m) {
    if (!URL_CHARS.test(text) || text.length > 512) return undefined;
    const domain = toAsciiDomain(m[2]!);
    if (!domain) return undefined;
    const rest = m[3] === "" ? "/" : m[3]!;
    const url = `${m[1]!.toLowerCase()}://${domain}${rest}`;
    return { kind: "url", url, domain, text: url };
  }
  const d = toAsciiDomain(text);
  return d ? { kind: "domain", domain: d, text: d } : undefined;
}

/** The date (YYYY-MM-DD) an ISO date or date-time falls on in the time zone. */
export function dateIn(timeZone: string, value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new Error(`not an ISO date-time: ${value}`);
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
}

export interface ActiveBlock {
  target: BlockTarget;
  /** for comments in device configurations: the reason, with the ticket when there is one */
  reason: string;
  /** YYYY-MM-DD */
  added: string;
  /** YYYY-MM-DD, inclusive */
  expires?: string;
  source: "cloud" | "emergency";
  /** the entry's index in its file */
  index: number;
  /** the target as written, for error messages */
  written: string;
}

/** Every listed block, active or not, with its target classified (undefined when it is neither prefix, domain nor URL). */
export function allBlocks(inventory: Pick<Inventory, "cloud" | "emergency">): Array<Omit<ActiveBlock, "target"> & { target: BlockTarget | undefined }> {
  const tz = inventory.cloud.timezone;
  const policy = inventory.cloud.blocklist.map((e, index) => ({
    target: parseBlockTarget(e.target),
    reason: e.reason,
    added: e.added,
    ...(e.expires ? { expires: e.expires } : {}),
    source: "cloud" as const,
    index,
    written: e.target,
  }));
  const emergency = (inventory.emergency ?? []).map((e, index) => ({
    target: parseBlockTarget(e.target),
    reason: e.ticket ? `${e.reason} (${e.ticket})` : e.reason,
    added: dateIn(tz, e.added),
    ...(e.expires ? { expires: dateIn(tz, e.expires) } : {}),
    source: "emergency" as const,
    index,
    written: e.target,
  }));
  return [...policy, ...emergency];
}

/**
 * The blocks in force today. A target that is neither a prefix, a domain nor
 * a URL is returned in `invalid` so that a renderer refuses it rather than
 * dropping it silently.
 */
export function activeBlocks(inventory: Pick<Inventory, "cloud" | "emergency">, today: string): { blocks: ActiveBlock[]; invalid: Array<{ source: ActiveBlock["source"]; index: number; written: string }> } {
  const blocks: ActiveBlock[] = [];
  const invalid: Array<{ source: ActiveBlock["source"]; index: number; written: string }> = [];
  for (const b of allBlocks(inventory)) {
    if (!isActive(b.expires, today)) continue;
    if (b.target) blocks.push({ ...b, target: b.target });
    else invalid.push({ source: b.source, index: b.index, written: b.written });
  }
  return { blocks, invalid };
}
