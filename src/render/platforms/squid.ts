// squid 5.7: the URL filter as one include file (Debian's squid.conf includes
// /etc/squid/conf.d/*.conf inside its http_access section, before its own
// allow rules). The include only ever *denies*: an `http_access allow` here
// would end http_access processing and skip the rules that follow it in
// squid.conf, so an organization's allow list is written as an exception
// (`!scconf_allow_<org>`) inside its deny lines instead.
import { activeBlocks } from "../../model/blocklist.js";
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { parsePrefix, prefixContains, type Prefix } from "../../model/net.js";
import type { Org } from "../../model/types.js";
import { blockableOnProxy, parseUrlPattern, pathPrefix } from "../../model/url-pattern.js";
import { toAsciiDomain } from "../../model/values.js";
import { artifactPath, headerLines, orgsInOrder, RenderError, type Platform, type RenderContext } from "../platform.js";
import { refuseUnrenderable } from "../refusals.js";

/**
 * Category lists are domain files provisioned on the proxy by a category feed
 * (for example the UT1 lists of Université Toulouse Capitole, whose category
 * names are used as they are: gambling, malware, phishing, adult ...). scconf
 * owns the reference, not the list; the device-side check fails if a file is
 * missing, because squid itself only logs an ERROR and then treats the ACL
 * as empty, which would silently stop blocking.
 */
export const SQUID_CATEGORY_DIR = "/etc/squid/scconf/categories";

/** The global object whose addresses are believed when they send X-Forwarded-For (R9). */
export const SQUID_XFF_TRUSTED_OBJECT = "proxies";

/** squid 5 reads config lines into a fixed buffer; long ACLs are split into several lines of one ACL. */
const MAX_LINE = 900;

export interface SquidAcl {
  name: string;
  /** e.g. "dstdomain", "url_regex -i", "src", "dst" */
  type: string;
  /** the values of one config line each, already split to fit */
  lines: string[];
}

interface SquidOrgPart {
  id: string;
  nameJa: string;
  comment?: string;
  acls: SquidAcl[];
  /** each entry: the ACL terms of one `http_access deny` line */
  denies: string[];
  notes: string[];
}

function splitValues(values: readonly string[]): string[] {
  const lines: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const v of values) {
    if (current.length > 0 && length + v.length + 1 > MAX_LINE) {
      lines.push(current.join(" "));
      current = [];
      length = 0;
    }
    current.push(v);
    length += v.length + 1;
  }
  if (current.length > 0) lines.push(current.join(" "));
  return lines;
}

function acl(name: string, type: string, values: readonly string[]): SquidAcl {
  return { name, type, lines: splitValues(values) };
}

/**
 * ".example.com" entries for dstdomain: sorted, and without any entry that is
 * the same as or a subdomain of another one (squid 5 warns about those and
 * ignores them, which reads like a configuration error on the device).
 */
export function dstdomainValues(domains: readonly string[]): string[] {
  const unique = [...new Set(domains.map((d) => d.toLowerCase()))];
  const kept = unique.filter((d) => !unique.some((other) => other !== d && d.endsWith(`.${other}`)));
  return kept.sort().map((d) => `.${d}`);
}

/** Prefixes without those contained in another (squid warns "is a subnetwork of" and ignores them). */
export function disjointPrefixes(prefixes: readonly Prefix[]): string[] {
  const unique = [...new Map(prefixes.map((p) => [p.text, p])).values()];
  const kept = unique.filter((p) => !unique.some((o) => o.text !== p.text && prefixContains(o, p)));
  return kept
    .sort((a, b) => (a.family !== b.family ? a.family - b.family : a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length))
    .map((p) => p.text);
}

const ERE_SPECIAL = new Set([".", "[", "]", "(", ")", "*", "+", "?", "{", "}", "|", "^", "$"]);

/**
 * A URL pattern of the inventory (model/url-pattern.ts) as a POSIX ERE for
 * `url_regex -i`. squid matches it against the absolute URL of a plain HTTP
 * request ("http://host:port/path") and against "host:port" for a CONNECT:
 * without TLS interception that is all it sees of an https request. So
 *   - an https:// pattern names the tunnel: ^host:port$ (any port unless one
 *     is written); one with a path is refused before rendering
 *     (render/refusals.ts), an emergency block's URL blocks its host, as
 *     its DNS side does;
 *   - http:// keeps its scheme; without a scheme any scheme matches, and a
 *     pattern without a path also matches the CONNECT to its host;
 *   - "*" is any run of characters (in the host: within the name), a trailing
 *     one adds nothing (a pattern is a prefix).
 * Every other ERE metacharacter is escaped ("$" and "{" too, so that squid's
 * ${...} macro expansion never sees one).
 */
export function urlPatternRegex(pattern: string): string {
  const p = parseUrlPattern(pattern);
  const literal = (s: string): string => [...s].map((c) => (ERE_SPECIAL.has(c) ? `\\${c}` : c)).join("");
  const withStars = (s: string, star: string): string => s.split("*").map(literal).join(star);
  const host = withStars(p.host, "[^/:]*");
  if (p.scheme === "https") return `^${host}:${p.port ?? "[0-9]+"}$`;
  const prefix = p.scheme ? `^${literal(p.scheme)}://` : "^([a-z]+://)?";
  const port = p.port ? `:${p.port}` : "(:[0-9]+)?";
  const path = pathPrefix(p);
  const tail = path === "" ? "(/|$)" : withStars(path, ".*");
  return `${prefix}${host}${port}${tail}`;
}

/** Blocklist targets are free text in cloud.yaml: a prefix, or a domain; anything else is refused. */
function classifyTarget(ctx: RenderContext, target: string, where: string): { prefix: Prefix } | { domain: string } {
  const p = parsePrefix(target);
  if (p.ok) return { prefix: p.prefix };
  const d = toAsciiDomain(target);
  if (d) return { domain: d };
  throw new RenderError(ctx.device.name, "squid", where, `blocklist target "${target.slice(0, 80)}" is neither an address prefix nor a domain name`);
}

function orgSources(org: Org): Prefix[] {
  return org.networks.map((n) => {
    const r = parsePrefix(n.cidr);
    if (!r.ok) throw new Error(`unvalidated prefix ${n.cidr}`);
    return r.prefix;
  });
}

function orgPart(ctx: RenderContext, org: Org, categories: Set<string>): SquidOrgPart | undefined {
  const f = org.urlFilter;
  if (!f) return undefined;
  const where = `${org.id} urlFilter`;
  const part: SquidOrgPart = { id: org.id, nameJa: org.name.ja, acls: [], denies: [], notes: [] };
  if (f.comment) part.comment = f.comment;
  const blocks = f.block.domains.length + f.block.urls.length + f.block.categories.length;
  if (blocks === 0) {
    part.notes.push("nothing is blocked for this organization: its allow list has nothing to make exceptions from");
    return part;
  }
  refuseUnrenderable(ctx, org, "urlFilter");
  const src = disjointPrefixes(orgSources(org));
  const srcAcl = `scconf_src_${org.id}`;
  part.acls.push(acl(srcAcl, "src", src));
  const exceptions: string[] = [];
  if (f.allow.domains.length > 0) {
    part.acls.push(acl(`scconf_allow_${org.id}`, "dstdomain", dstdomainValues(f.allow.domains)));
    exceptions.push(`!scconf_allow_${org.id}`);
  }
  if (f.allow.urls.length > 0) {
    part.acls.push(acl(`scconf_allow_url_${org.id}`, "url_regex -i", [...new Set(f.allow.urls)].sort().map(urlPatternRegex)));
    exceptions.push(`!scconf_allow_url_${org.id}`);
  }
  const deny = (aclName: string): void => void part.denies.push([srcAcl, aclName, ...exceptions].join(" "));
  if (f.block.domains.length > 0) {
    part.acls.push(acl(`scconf_block_${org.id}`, "dstdomain", dstdomainValues(f.block.domains)));
    deny(`scconf_block_${org.id}`);
  }
  if (f.block.urls.length > 0) {
    part.acls.push(acl(`scconf_block_url_${org.id}`, "url_regex -i", [...new Set(f.block.urls)].sort().map(urlPatternRegex)));
    deny(`scconf_block_url_${org.id}`);
  }
  for (const c of [...new Set(f.block.categories)].sort()) {
    categories.add(c);
    deny(`scconf_category_${c}`);
  }
  return part;
}

export function categoryFile(name: string): string {
  return `${SQUID_CATEGORY_DIR}/${name}.txt`;
}

function renderAcl(ctx: RenderContext): string {
  const inv = ctx.inventory;
  const blockDomains: string[] = [];
  const blockPrefixes: Prefix[] = [];
  const blockUrls: string[] = [];
  const active = activeBlocks(inv, ctx.today);
  for (const bad of active.invalid) classifyTarget(ctx, bad.written, `${bad.source === "cloud" ? "cloud blocklist" : "emergency blocks"}[${bad.index}].target`);
  for (const { target: t } of active.blocks) {
    if (t.kind === "prefix") blockPrefixes.push(t.prefix);
    else if (t.kind === "domain") blockDomains.push(t.domain);
    else blockUrls.push(blockableOnProxy(t.url)); // an https URL's path is invisible here: the block takes its host
  }
  const breakoutDomains = inv.cloud.breakout.flatMap((b) => b.domains);
  const breakoutPrefixes = inv.cloud.breakout.flatMap((b) => b.prefixes.map((p) => parsePrefix(p))).flatMap((r) => (r.ok ? [r.prefix] : []));
  const xffObject = inv.cloud.objects[SQUID_XFF_TRUSTED_OBJECT];
  const xffTrusted = xffObject ? disjointPrefixes(xffObject.addresses.flatMap((a) => { const r = parsePrefix(a); return r.ok ? [r.prefix] : []; })) : [];

  const categories = new Set<string>();
  const orgs = ctx.kinds.includes("urlFilter")
    ? orgsInOrder(inv).flatMap((o) => { const p = orgPart(ctx, o, categories); return p ? [p] : []; })
    : [];
  const globalAcls: SquidAcl[] = [];
  if (xffTrusted.length > 0) globalAcls.push(acl("scconf_xff_trusted", "src", xffTrusted));
  if (breakoutDomains.length > 0) globalAcls.push(acl("scconf_breakout", "dstdomain", dstdomainValues(breakoutDomains)));
  if (breakoutPrefixes.length > 0) globalAcls.push(acl("scconf_breakout_dst", "dst", disjointPrefixes(breakoutPrefixes)));
  if (blockDomains.length > 0) globalAcls.push(acl("scconf_blocklist", "dstdomain", dstdomainValues(blockDomains)));
  if (blockPrefixes.length > 0) globalAcls.push(acl("scconf_blocklist_dst", "dst", disjointPrefixes(blockPrefixes)));
  if (blockUrls.length > 0) globalAcls.push(acl("scconf_blocklist_url", "url_regex -i", [...new Set(blockUrls)].sort().map(urlPatternRegex)));
  for (const c of [...categories].sort()) globalAcls.push(acl(`scconf_category_${c}`, "dstdomain", [`"${categoryFile(c)}"`]));

  return ctx.templates.render("scconf-acl", {
    header: headerLines(ctx, "scconf-acl"),
    globalAcls,
    xffTrusted: xffTrusted.length > 0,
    xffObject: SQUID_XFF_TRUSTED_OBJECT,
    breakout: breakoutDomains.length > 0,
    breakoutDst: breakoutPrefixes.length > 0,
    blocklist: blockDomains.length > 0,
    blocklistDst: blockPrefixes.length > 0,
    blocklistUrl: blockUrls.length > 0,
    orgs,
  });
}

export const squid: Platform = {
  name: "squid",
  description: "squid 5.7 forward proxy: URL filter include (dstdomain, url_regex, category files), X-Forwarded-For logging, breakout",
  kinds: PLATFORM_KINDS["squid"],
  features: ["ipv6", "comments", "logging", "urlPatterns", "urlCategories"],
  defaultPaths: { "scconf-acl": "/etc/squid/conf.d/scconf.conf" },
  // squid -k parse exits 0 on an unreadable ACL file or a bad regex (it only
  // logs ERROR), so the exit code alone would pass a configuration that
  // silently stops blocking: any ERROR/WARNING/FATAL line fails the check.
  // It checks the device's whole squid.conf, which includes the artifact, so
  // the driver runs it with the new file in place and reverts on failure.
  defaultCheckCommand: `sh -c 'out=$(squid -k parse 2>&1); rc=$?; printf "%s\\n" "$out"; [ "$rc" -eq 0 ] && ! printf "%s\\n" "$out" | grep -Eiq "(ERROR|FATAL|WARNING|Bungled)"'`,
  defaultReloadCommand: "squid -k reconfigure",
  render(ctx) {
    return [
      {
        id: "scconf-acl",
        path: artifactPath(ctx, squid, "scconf-acl"),
        content: renderAcl(ctx),
        kinds: ["urlFilter"],
        format: "text",
      },
    ];
  },
};
