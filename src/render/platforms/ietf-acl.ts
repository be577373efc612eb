// ietf-acl: a NETCONF device speaking yang/scconf-acl.yang (RFC 8519 shape).
// One acl per organization ("scconf-<org>"), one ace per source prefix,
// destination prefix and destination port range, because an ace matches
// exactly one of each; one policer per capped organization and direction.
// The artifact is the whole /acls subtree.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import type { Family } from "../../model/net.js";
import { artifactPath, headerLines, type Platform, type RenderContext } from "../platform.js";
import {
  blocklistPrefixes,
  firewallByOrg,
  orgTitle,
  PROTOCOL_NUMBERS,
  portRangeText,
  shortHash,
  shortName,
  truncateUtf8,
  type ExpandedRule,
  type OrgFirewall,
} from "./firewall-common.js";

/** acl and ace names are string 1..64 in the module; descriptions 0..255 */
export const ACL_NAME_MAX = 64;
const DESCRIPTION_MAX_CHARS = 255;

/** XML 1.0 text: the five markup characters escaped; control characters, which XML cannot carry, refused. */
export function xmlEscape(text: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/u.test(text)) throw new Error(`text with a control character reached the XML renderer: ${JSON.stringify(text)}`);
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** Text inside <!-- -->: "--" may not occur and the text may not end in "-". */
export function xmlCommentText(text: string): string {
  return xmlEscape(text).replace(/--/g, "- -").replace(/-$/, "- ");
}

interface AceView {
  name: string;
  description: string;
  source: string;
  destination: string;
  protocol: number | "";
  port: { lower: number; upper: number } | "";
  forwarding: "accept" | "drop" | "reject";
  logging: boolean;
}

interface AclView {
  title: string;
  name: string;
  type: "ipv4" | "ipv6" | "mixed";
  description: string;
  aces: AceView[];
}

function description(text: string): string {
  // the module counts characters (YANG string length), not bytes
  return [...text].slice(0, DESCRIPTION_MAX_CHARS).join("");
}

/**
 * Ace names: the rule name plus a hash of what the ace matches, so that a name
 * stays with its match when prefixes are added or removed elsewhere in the
 * rule (an index would renumber every later ace and turn a one-line change
 * into a rewrite of the list).
 */
function aceName(ruleName: string, key: string): string {
  return `${shortName(ruleName, ACL_NAME_MAX - 9)}-${shortHash(key)}`;
}

function rulesAces(r: ExpandedRule): AceView[] {
  const aces: AceView[] = [];
  const ports = r.ports.length > 0 ? r.ports : [undefined];
  const protocol = r.protocol === "any" ? "" : PROTOCOL_NUMBERS[r.protocol];
  for (const t of r.terms) {
    for (const s of t.sources) {
      for (const d of t.destinations) {
        for (const p of ports) {
          const key = `${s.text} to ${d.text} ${r.protocol}${p ? `/${portRangeText(p)}` : ""}`;
          aces.push({
            name: aceName(r.rule.name, key),
            description: description(`${r.rule.name}: ${key}${r.rule.comment ? ` (${r.rule.comment})` : ""}`),
            source: s.text,
            destination: d.text,
            protocol,
            port: p ? { lower: p.from, upper: p.to } : "",
            forwarding: r.rule.action,
            logging: r.rule.log,
          });
        }
      }
    }
  }
  return aces;
}

function aclType(families: Set<Family>): AclView["type"] {
  if (families.size > 1) return "mixed";
  return families.has(6) ? "ipv6" : "ipv4";
}

function orgAcl(o: OrgFirewall): AclView {
  const aces = o.rules.flatMap(rulesAces);
  const families = new Set(o.rules.flatMap((r) => r.terms.map((t) => t.family)));
  return {
    title: `org ${orgTitle(o.org)}`,
    name: shortName(`scconf-${o.org.id}`, ACL_NAME_MAX),
    type: aclType(families),
    description: description(`${o.org.name.ja} ${o.org.name.en}: firewall rules of ${o.org.id}`),
    aces,
  };
}

function blocklistAcl(ctx: RenderContext): AclView | undefined {
  const entries = blocklistPrefixes(ctx.inventory, ctx.today);
  if (entries.length === 0) return undefined;
  const aces: AceView[] = [];
  for (const e of entries) {
    const any = e.prefix.family === 4 ? "0.0.0.0/0" : "::/0";
    for (const [dir, source, destination] of [["from", e.prefix.text, any], ["to", any, e.prefix.text]] as const) {
      aces.push({
        name: aceName(`block-${dir}`, e.prefix.text),
        description: description(`blocklist ${e.added}: ${e.reason}`),
        source,
        destination,
        protocol: "",
        port: "",
        forwarding: "drop",
        logging: true,
      });
    }
  }
  return {
    title: "global blocklist of cloud.yaml",
    name: "scconf-blocklist",
    type: aclType(new Set(entries.map((e) => e.prefix.family))),
    description: "global blocklist of cloud.yaml, evaluated before the organizations' lists",
    aces,
  };
}

interface PolicerView {
  name: string;
  description: string;
  direction: "ingress" | "egress";
  /** the organization's own prefixes, v4 then v6, canonical text */
  networks: string[];
  /** canonical decimal, no leading zeros: netconfd stores uint32 that way and the read-back must match */
  rateKbps: string;
}

/**
 * R8: one policer per organization and direction, each over all of the
 * organization's own prefixes of both families (one bucket shared by v4 and
 * v6). Ingress limits the traffic to those prefixes, egress the traffic from
 * them, as the Junos and nftables renderings do. Sorted by name, so that
 * the list does not depend on the order of the inventory files.
 */
function orgPolicers(o: OrgFirewall): PolicerView[] {
  const bw = o.bandwidth;
  if (!bw) return [];
  const networks = [...bw.v4, ...bw.v6].map((p) => p.text);
  return (["ingress", "egress"] as const).map((direction) => {
    const mbps = direction === "ingress" ? bw.ingressMbps : bw.egressMbps;
    const toFrom = direction === "ingress" ? "to" : "from";
    return {
      name: `scconf-${o.org.id}-${direction}`,
      description: description(`${o.org.name.ja} ${o.org.name.en}: ${direction} cap of ${o.org.id}, ${mbps} Mbps ${toFrom} its own networks`),
      direction,
      networks,
      rateKbps: String(mbps * 1000),
    };
  });
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function renderAcls(ctx: RenderContext): string {
  const orgs = firewallByOrg(ctx);
  const acls: AclView[] = [];
  const block = blocklistAcl(ctx);
  if (block) acls.push(block);
  for (const o of orgs) if (o.rules.length > 0) acls.push(orgAcl(o));
  // `acl` is a system-ordered list: the device returns it sorted by name, and
  // the read-back after a commit must compare equal. Evaluation order comes
  // from the attachment (blocklist first), not from the list order.
  acls.sort(byName);
  const policers = orgs.flatMap(orgPolicers).sort(byName);
  return ctx.templates.render("acls", {
    header: headerLines(ctx, "acls"),
    acls,
    policers,
  });
}

export const ietfAcl: Platform = {
  name: "ietf-acl",
  description: "NETCONF device with the scconf-acl YANG module: one ACL per organization under /acls",
  kinds: PLATFORM_KINDS["ietf-acl"],
  features: ["ipv6", "portRanges", "icmp", "reject", "logging", "comments", "bandwidth"],
  defaultPaths: { acls: "netconf:/acls" },
  helpers: {
    xml: (text: unknown) => xmlEscape(String(text)),
    xmlComment: (text: unknown) => xmlCommentText(truncateUtf8(String(text), 1000)),
  },
  render(ctx) {
    if (!ctx.kinds.includes("firewall")) return [];
    return [
      {
        id: "acls",
        path: artifactPath(ctx, ietfAcl, "acls"),
        content: renderAcls(ctx),
        kinds: ["firewall"],
        format: "xml",
      },
    ];
  },
};
